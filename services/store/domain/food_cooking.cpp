#include "domain/food_cooking.hpp"

#include <stdexcept>

#include "contracts/events.hpp"
#include "domain/catalog.hpp"
#include "platform/problem.hpp"

namespace store {

namespace {
constexpr CookingStatus kAll[] = {CookingStatus::AwaitingPayment, CookingStatus::PaymentFailed,
                                  CookingStatus::Requested,       CookingStatus::Accepted,
                                  CookingStatus::Rejected,        CookingStatus::Cooking,
                                  CookingStatus::Cooked,          CookingStatus::Canceled};
}  // namespace

const char* to_string(CookingStatus status) {
  using namespace contracts::cooking_status;
  switch (status) {
    case CookingStatus::AwaitingPayment: return "AWAITING_PAYMENT";
    case CookingStatus::PaymentFailed: return "PAYMENT_FAILED";
    case CookingStatus::Requested: return Requested;
    case CookingStatus::Accepted: return Accepted;
    case CookingStatus::Rejected: return Rejected;
    case CookingStatus::Cooking: return Cooking;
    case CookingStatus::Cooked: return Cooked;
    case CookingStatus::Canceled: return Canceled;
  }
  return "UNKNOWN";
}

CookingStatus cooking_status_from(std::string_view text) {
  for (auto status : kAll)
    if (text == to_string(status)) return status;
  throw std::invalid_argument("unknown cooking status " + std::string(text));
}

std::string parse_rejection(const boost::json::object& body) {
  for (const auto& field : body)
    if (field.key() != "reason") throw platform::bad_request("unknown field '" + std::string(field.key()) + "'");
  auto* reason = body.if_contains("reason");
  if (!reason || !reason->is_string()) throw platform::bad_request("reason must be a string, e.g. {\"reason\":\"재료 소진\"}");
  std::string text(reason->get_string());
  if (text.empty() || text.size() > kMaxReason)
    throw platform::bad_request("reason must be 1 to " + std::to_string(kMaxReason) + " bytes long");
  return text;
}

platform::Event FoodCooking::event(const char* type) const {
  return {type, {{"orderId", order_id}, {"customerId", customer}, {"storeId", store_id}, {"status", to_string(status)}}};
}

std::vector<platform::Event> FoodCooking::move(CookingStatus from, CookingStatus to, const char* event_type) {
  if (status != from)
    throw platform::conflict("order " + std::to_string(order_id) + " is " + to_string(status) + " in the kitchen, not " +
                             to_string(from));
  status = to;
  if (!event_type) return {};
  return {event(event_type)};
}

std::vector<platform::Event> FoodCooking::payment_approved(std::int64_t now_ms) {
  auto events = move(CookingStatus::AwaitingPayment, CookingStatus::Requested, nullptr);
  requested_at = now_ms;
  return events;
}

std::vector<platform::Event> FoodCooking::payment_failed() {
  return move(CookingStatus::AwaitingPayment, CookingStatus::PaymentFailed, nullptr);
}

std::vector<platform::Event> FoodCooking::accept() {
  return move(CookingStatus::Requested, CookingStatus::Accepted, contracts::event::OrderAccepted);
}

std::vector<platform::Event> FoodCooking::reject(const std::string& why) {
  auto events = move(CookingStatus::Requested, CookingStatus::Rejected, contracts::event::OrderRejected);
  reason = why;
  events.front().body["reason"] = why;
  return events;
}

std::vector<platform::Event> FoodCooking::start() {
  return move(CookingStatus::Accepted, CookingStatus::Cooking, contracts::event::CookStarted);
}

std::vector<platform::Event> FoodCooking::finish(const Store& store) {
  auto events = move(CookingStatus::Cooking, CookingStatus::Cooked, contracts::event::CookFinished);
  auto& body = events.front().body;
  body["storeName"] = store.name;
  body["storeLat"] = store.lat;
  body["storeLon"] = store.lon;
  body["address"] = address;
  body["lat"] = lat;
  body["lon"] = lon;
  return events;
}

void FoodCooking::cancel() {
  switch (status) {
    case CookingStatus::AwaitingPayment:
    case CookingStatus::Requested:
    case CookingStatus::Accepted: status = CookingStatus::Canceled; return;
    case CookingStatus::Canceled: return;
    case CookingStatus::Cooking:
    case CookingStatus::Cooked:
      throw platform::conflict("order " + std::to_string(order_id) + " cannot be canceled: cooking has already started");
    case CookingStatus::PaymentFailed:
    case CookingStatus::Rejected: break;
  }
  throw platform::conflict("order " + std::to_string(order_id) + " is " + to_string(status) + "; nothing to cancel");
}

std::vector<std::string> FoodCooking::allowed_commands() const {
  switch (status) {
    case CookingStatus::Requested: return {"accept", "reject"};
    case CookingStatus::Accepted: return {"start"};
    case CookingStatus::Cooking: return {"finish"};
    default: return {};
  }
}

FoodCooking canceled_before_arrival(std::int64_t order_id) {
  FoodCooking cooking;
  cooking.order_id = order_id;
  cooking.items = "[]";
  cooking.status = CookingStatus::Canceled;
  return cooking;
}

}  // namespace store
