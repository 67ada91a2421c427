#include "platform/leadership.hpp"

#include <exception>
#include <utility>

#include "platform/log.hpp"

namespace platform {

Leadership::Leadership(Db& db, std::string work, std::chrono::milliseconds retry)
    : db_(db), work_(std::move(work)), retry_(retry) {}

Leadership::~Leadership() {
  if (lease_) log::info("leadership handed back", {{"work", work_}});
}

bool Leadership::leads() {
  if (lease_ && lease_->held()) return true;
  if (lease_) {
    lease_.reset();
    log::warn("leadership lost (its database connection broke); trying to take it again", {{"work", work_}});
  }
  auto now = std::chrono::steady_clock::now();
  if (now < next_try_) return false;
  next_try_ = now + retry_;
  try {
    lease_ = db_.try_lead(work_);
    failure_logged_ = false;
  } catch (const std::exception& error) {
    if (!failure_logged_) log::error("cannot ask the database who leads", {{"work", work_}, {"error", error.what()}});
    failure_logged_ = true;
    return false;
  }
  if (lease_) log::info("leading", {{"work", work_}});
  return lease_ != nullptr;
}

}  // namespace platform
