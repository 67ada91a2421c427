#include "domain/cancel_order.hpp"

namespace order {

CancelStep next_step(const CancelProgress& progress) {
  if (!progress.intent_recorded) return CancelStep::RecordIntent;
  if (!progress.store) return CancelStep::AskStore;
  switch (*progress.store) {
    case StoreAnswer::Agreed: break;
    case StoreAnswer::Refused: return progress.undone ? CancelStep::Refused : CancelStep::UndoIntent;
    case StoreAnswer::Unreachable:
    case StoreAnswer::Failed: return CancelStep::StillPending;
  }
  if (!progress.refund) return CancelStep::AskRefund;
  return progress.noted ? CancelStep::Canceled : CancelStep::NoteCanceled;
}

platform::Problem cancel_problem(const CancelProgress& progress) {
  switch (progress.store.value_or(StoreAnswer::Unreachable)) {
    case StoreAnswer::Refused:
      return platform::conflict(progress.store_detail.empty() ? "the store refused the cancel" : progress.store_detail);
    case StoreAnswer::Failed: return platform::unavailable("the store could not cancel the cooking; try again");
    case StoreAnswer::Agreed:
    case StoreAnswer::Unreachable: break;
  }
  return platform::unavailable(
      "the store could not be asked whether cooking has started; the cancel is retried until it answers");
}

bool cancel_interrupted(const Order& order, std::int64_t now_ms) {
  return order.status == Status::CancelPending && order.cancel_requested_at < now_ms - kResumeCancelAfterMs;
}

}  // namespace order
