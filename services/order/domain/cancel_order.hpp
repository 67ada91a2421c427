#pragma once
// The customer's cancel (R6, C4) as a saga, after FTGO's CancelOrderSaga: its steps, their
// outcomes and the fallbacks, declared here and nowhere else. No I/O: the adapter
// (cancel.cpp) performs what next_step names, writes the outcome into the progress, and
// asks again until an end.
//
//   1 record the intent    Order::begin_cancel: CANCEL_PENDING (R6 refuses with 409 here)
//   2 ask the store        it decides atomically whether cooking has started:
//                          agreed → 3
//                          refused → Order::undo_pending_cancel, then 409 with the store's detail
//                          no answer → the cancel stays pending: 503; the recovery resumes it at 2
//   3 ask payment          refunded now → 4
//                          no answer or refused → 4 all the same: payment refunds on
//                          OrderCanceled{refunded=false}, once, by its own state
//   4 note it canceled     Order::note_canceled(refunded): CANCELED + OrderCanceled
//
// The intent is recorded before the store is asked: should the process die after the store
// agreed, the recovery finishes the cancel instead of leaving the order paid.
#include <cstdint>
#include <optional>
#include <string>

#include "domain/order.hpp"
#include "platform/problem.hpp"

namespace order {

// Step 2's outcomes.
enum class StoreAnswer {
  Agreed,
  Refused,      // cooking has started (409)
  Unreachable,  // no answer in time, or its circuit breaker is open
  Failed,       // it answered neither yes nor no
};

// Step 3's outcomes.
enum class RefundAnswer { Refunded, Fallback };

enum class CancelStep {
  RecordIntent,
  AskStore,
  UndoIntent,
  AskRefund,
  NoteCanceled,
  // The ends.
  Canceled,      // 200 with the canceled order
  Refused,       // 409 with the store's detail; the order is as before
  StillPending,  // 503; the recovery carries it on
};

// What one run of the saga has learnt so far.
struct CancelProgress {
  bool intent_recorded = false;
  std::optional<StoreAnswer> store;
  std::string store_detail;  // the store's reason, when it refused
  bool undone = false;
  std::optional<RefundAnswer> refund;
  bool noted = false;

  // A customer's request: from step 1.
  static CancelProgress requested() { return {}; }
  // A pending cancel taken up by the recovery: from step 2.
  static CancelProgress resumed() { return {.intent_recorded = true}; }

  bool refunded() const { return refund == RefundAnswer::Refunded; }
};

CancelStep next_step(const CancelProgress& progress);

// What the customer is told at the ends Refused and StillPending.
platform::Problem cancel_problem(const CancelProgress& progress);

// The recovery resumes a cancel pending this long (its process died, or the store did not answer).
inline constexpr std::int64_t kResumeCancelAfterMs = 2000;
bool cancel_interrupted(const Order& order, std::int64_t now_ms);

}  // namespace order
