#include <gtest/gtest.h>

#include "problem_status.hpp"

#include <boost/json.hpp>

#include "domain/cancel_order.hpp"
#include "domain/order.hpp"
#include "platform/problem.hpp"

namespace {

using order::Order;
using order::Status;

boost::json::object request(std::string_view json) { return boost::json::parse(json).as_object(); }

std::optional<order::MenuItem> menu(std::int64_t id) {
  if (id == 101) return order::MenuItem{101, 1, "허니콤보", 23000};
  if (id == 104) return order::MenuItem{104, 1, "치즈볼", 5000};
  if (id == 201) return order::MenuItem{201, 2, "신전떡볶이", 3500};
  return std::nullopt;
}

std::optional<order::CatalogStore> store_named(std::string name) { return order::CatalogStore{1, std::move(name)}; }

const char* kValid = R"({"storeId":1,"items":[{"menuId":101,"qty":2},{"menuId":104,"qty":1}],
                         "address":"서울 강남구 테헤란로 1","lat":37.5,"lon":127.03})";

TEST(PlaceOrder, PricesLinesFromTheMenuNotTheClient) {
  auto command = order::parse_place_order(request(kValid));
  auto [placed, events] = Order::place(7, "customer1", command, store_named("교촌치킨"), menu, 1000);
  EXPECT_EQ(placed.total_price, 2 * 23000 + 5000);
  EXPECT_EQ(placed.status, Status::Placed);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "OrderPlaced");
  EXPECT_EQ(events[0].body.at("orderId").as_int64(), 7);
  EXPECT_EQ(events[0].body.at("totalPrice").as_int64(), 51000);
  EXPECT_EQ(events[0].body.at("customerId").as_string(), "customer1");
  EXPECT_EQ(events[0].order_id(), "7");
}

TEST(PlaceOrder, RefusesBadInputWithA400) {
  for (const char* body : {
           R"({"items":[{"menuId":101,"qty":1}],"address":"a","lat":1,"lon":1})",
           R"({"storeId":1,"items":[],"address":"a","lat":1,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":0}],"address":"a","lat":1,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":-3}],"address":"a","lat":1,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":100000}],"address":"a","lat":1,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":"02"}],"address":"a","lat":1,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":1}],"address":"","lat":1,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":1}],"address":"a","lat":91,"lon":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":1}],"address":"a","lat":1,"lon":1,"totalPrice":1})",
           R"({"storeId":1,"items":[{"menuId":101,"qty":1},{"menuId":101,"qty":1}],"address":"a","lat":1,"lon":1})",
           R"({"storeId":99999999999999999999,"items":[{"menuId":101,"qty":1}],"address":"a","lat":1,"lon":1})",
       }) {
    EXPECT_EQ(problem_status([&] { order::parse_place_order(request(body)); }), 400) << body;
  }
}

TEST(PlaceOrder, RefusesUnknownStoreAndForeignMenuItems) {
  auto command = order::parse_place_order(request(kValid));
  EXPECT_EQ(problem_status([&] { Order::place(1, "c", command, std::nullopt, menu, 0); }), 400);
  command.items = {{201, 1}};  // store 2's dish ordered from store 1
  EXPECT_EQ(problem_status([&] { Order::place(1, "c", command, store_named("s"), menu, 0); }), 400);
  command.items = {{999, 1}};
  EXPECT_EQ(problem_status([&] { Order::place(1, "c", command, store_named("s"), menu, 0); }), 400);
}

TEST(OrderStateMachine, PaymentOutcomeMovesAPlacedOrderOnce) {
  auto [paid, ignored] = Order::place(1, "c", order::parse_place_order(request(kValid)), store_named("s"), menu, 0);
  paid.payment_approved();
  EXPECT_EQ(paid.status, Status::Paid);
  EXPECT_EQ(problem_status([&] { paid.payment_approved(); }), 409);
  EXPECT_EQ(problem_status([&] { paid.payment_failed(); }), 409);

  auto failed = paid;
  failed.status = Status::Placed;
  failed.payment_failed();
  EXPECT_EQ(failed.status, Status::PaymentFailed);
  EXPECT_EQ(problem_status([&] { failed.payment_approved(); }), 409);
}

TEST(OrderStatus, RoundTripsItsWords) {
  for (auto status : {Status::Placed, Status::Paid, Status::PaymentFailed})
    EXPECT_EQ(order::status_from(order::to_string(status)), status);
  EXPECT_THROW(order::status_from("COOKED?"), std::invalid_argument);
}

}  // namespace

namespace {

Order paid_order() {
  auto [order, events] = Order::place(1, "customer1", order::parse_place_order(request(kValid)), store_named("s"), menu, 0);
  order.payment_approved();
  return order;
}

TEST(OrderLifecycle, FollowsTheKitchenAndTheRiderToDelivery) {
  auto order = paid_order();
  EXPECT_TRUE(order.accepted().empty());
  EXPECT_TRUE(order.cook_started().empty());
  EXPECT_EQ(problem_status([&] { order.begin_cancel(0); }), 409);
  order.cook_finished();
  order.rider_assigned("rider1");
  EXPECT_EQ(order.rider, "rider1");
  order.picked_up();
  auto confirmed = order.confirm_delivery();
  EXPECT_EQ(order.status, Status::Delivered);
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(confirmed[0].type, "DeliveryConfirmed");
  EXPECT_EQ(confirmed[0].body.at("riderId").as_string(), "rider1");
  EXPECT_EQ(confirmed[0].body.at("status").as_string(), "DELIVERED");
  auto [review, reviewed] = order.review(3, {1, 5, "맛있어요"}, 2000);
  EXPECT_EQ(review.id, 3);
  EXPECT_EQ(review.customer, "customer1");
  EXPECT_EQ(review.created_at, 2000);
  EXPECT_EQ(reviewed[0].type, "OrderReviewed");
  EXPECT_EQ(reviewed[0].body.at("rating").as_int64(), 5);
  EXPECT_EQ(reviewed[0].body.at("storeId").as_int64(), 1);
}

TEST(OrderLifecycle, AReportThatOvertookAnEarlierOneIsToBeTriedAgain) {
  auto [placed, events] = Order::place(1, "customer1", order::parse_place_order(request(kValid)), store_named("s"), menu, 0);
  EXPECT_THROW(placed.rejected(), platform::TooEarly);  // OrderRejected before PaymentApproved
  EXPECT_EQ(placed.status, Status::Placed);
  auto paid = paid_order();
  EXPECT_THROW(paid.cook_finished(), platform::TooEarly);
  paid.status = Status::Canceled;
  EXPECT_EQ(problem_status([&] { paid.cook_started(); }), 409);  // past it: stale, dropped
}

TEST(OrderLifecycle, RefusesStepsOutOfOrderAndChangesNothing) {
  auto order = paid_order();
  order.accepted();
  order.cook_started();
  EXPECT_EQ(problem_status([&] { order.accepted(); }), 409);
  EXPECT_EQ(problem_status([&] { order.confirm_delivery(); }), 409);
  EXPECT_EQ(problem_status([&] { order.review(1, {1, 5, ""}, 0); }), 409);
  EXPECT_EQ(order.status, Status::Cooking);
}

TEST(OrderCancel, AllowedUntilCookingStartsAndSaysWhetherRefunded) {
  for (auto before : {Status::Placed, Status::Paid, Status::Accepted}) {
    auto order = paid_order();
    order.status = before;
    EXPECT_TRUE(order.begin_cancel(1000).empty());
    auto events = order.note_canceled(true);
    EXPECT_EQ(order.status, Status::Canceled);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, "OrderCanceled");
    EXPECT_TRUE(events[0].body.at("refunded").as_bool());
    EXPECT_EQ(events[0].body.at("status").as_string(), "CANCELED");
  }
  for (auto after : {Status::Cooking, Status::Cooked, Status::RiderAssigned, Status::PickedUp, Status::Delivered,
                     Status::Rejected, Status::Canceled, Status::PaymentFailed}) {
    auto order = paid_order();
    order.status = after;
    EXPECT_EQ(problem_status([&] { order.begin_cancel(1000); }), 409) << order::to_string(after);
    EXPECT_EQ(problem_status([&] { order.note_canceled(false); }), 409) << order::to_string(after);
    EXPECT_EQ(order.status, after);
  }
}

TEST(OrderCancel, TheRefusalAfterCookingSaysWhy) {
  auto order = paid_order();
  order.status = Status::Cooking;
  try {
    order.begin_cancel(1000);
    FAIL();
  } catch (const platform::Problem& problem) {
    EXPECT_NE(problem.detail.find("cooking has already started"), std::string::npos);
  }
}

TEST(Review, ValidatesRatingAndContent) {
  EXPECT_EQ(order::parse_review(request(R"({"orderId":1,"rating":5,"content":"좋아요"})")).rating, 5);
  for (const char* body : {R"({"orderId":1,"rating":0,"content":"x"})", R"({"orderId":1,"rating":6,"content":"x"})",
                           R"({"orderId":1,"rating":5})", R"({"rating":5,"content":"x"})",
                           R"({"orderId":1,"rating":5,"content":"x","extra":1})"})
    EXPECT_EQ(problem_status([&] { order::parse_review(request(body)); }), 400) << body;
}

}  // namespace

namespace {

using order::CancelProgress;
using order::CancelStep;
using order::RefundAnswer;
using order::StoreAnswer;

TEST(OrderCancel, APendingCancelShowsTheStatusItCameFromAndHoldsBackReports) {
  auto order = paid_order();
  EXPECT_TRUE(order.begin_cancel(1000).empty());
  EXPECT_EQ(order.status, Status::CancelPending);
  EXPECT_EQ(order.public_status(), Status::Paid);
  EXPECT_EQ(order.allowed_commands(), std::vector<std::string>{"cancel"});
  EXPECT_EQ(order::status_from(order::to_string(Status::CancelPending)), Status::CancelPending);
  // Asked again (a second tap, the recovery): the cancel goes on from when it began.
  EXPECT_TRUE(order.begin_cancel(5000).empty());
  EXPECT_EQ(order.cancel_requested_at, 1000);
  // Other services' reports wait for the cancel's outcome, like FTGO's CANCEL_PENDING.
  EXPECT_THROW(order.accepted(), platform::TooEarly);
  EXPECT_THROW(order.payment_failed(), platform::TooEarly);
  EXPECT_EQ(order.status, Status::CancelPending);
  // Commands meanwhile speak of the status the customer sees.
  try {
    order.confirm_delivery();
    FAIL();
  } catch (const platform::Problem& problem) {
    EXPECT_EQ(problem.status, 409);
    EXPECT_NE(problem.detail.find("is PAID"), std::string::npos) << problem.detail;
  }
}

// Carries a cancel through the saga as the adapter does, the store and payment answering as
// given; returns the steps taken, the end last.
std::vector<CancelStep> carry_out(Order& order, CancelProgress& progress, StoreAnswer store, RefundAnswer refund,
                                  platform::Events& events, std::int64_t now_ms = 1000) {
  std::vector<CancelStep> steps;
  for (;;) {
    auto step = order::next_step(progress);
    steps.push_back(step);
    switch (step) {
      case CancelStep::RecordIntent:
        order.begin_cancel(now_ms);
        progress.intent_recorded = true;
        break;
      case CancelStep::AskStore:
        progress.store = store;
        if (store == StoreAnswer::Refused)
          progress.store_detail = "order 1 cannot be canceled: cooking has already started (COOKING)";
        break;
      case CancelStep::UndoIntent:
        order.undo_pending_cancel();
        progress.undone = true;
        break;
      case CancelStep::AskRefund: progress.refund = refund; break;
      case CancelStep::NoteCanceled:
        events = order.note_canceled(progress.refunded());
        progress.noted = true;
        break;
      case CancelStep::Canceled:
      case CancelStep::Refused:
      case CancelStep::StillPending: return steps;
    }
  }
}

TEST(CancelSaga, StoreAgreesAndPaymentRefundsNow) {
  auto order = paid_order();
  auto progress = CancelProgress::requested();
  platform::Events events;
  auto steps = carry_out(order, progress, StoreAnswer::Agreed, RefundAnswer::Refunded, events);
  EXPECT_EQ(steps, (std::vector{CancelStep::RecordIntent, CancelStep::AskStore, CancelStep::AskRefund,
                                CancelStep::NoteCanceled, CancelStep::Canceled}));
  EXPECT_EQ(order.status, Status::Canceled);
  EXPECT_EQ(order.public_status(), Status::Canceled);
  EXPECT_FALSE(order.status_before_cancel);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "OrderCanceled");
  EXPECT_TRUE(events[0].body.at("refunded").as_bool());
  EXPECT_EQ(events[0].body.at("customerId").as_string(), "customer1");
  EXPECT_EQ(events[0].body.at("storeId").as_int64(), 1);
  // Reports held back meanwhile are stale now: dropped.
  EXPECT_EQ(problem_status([&] { order.accepted(); }), 409);
}

TEST(CancelSaga, PaymentNotAnsweringFallsBackToTheRefundByEvent) {
  auto order = paid_order();
  auto progress = CancelProgress::requested();
  platform::Events events;
  auto steps = carry_out(order, progress, StoreAnswer::Agreed, RefundAnswer::Fallback, events);
  EXPECT_EQ(steps.back(), CancelStep::Canceled);
  EXPECT_EQ(order.status, Status::Canceled);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].body.at("refunded").as_bool());
}

TEST(CancelSaga, StoreRefusingUndoesTheIntentAndSaysWhy) {
  auto order = paid_order();
  order.accepted();
  auto progress = CancelProgress::requested();
  platform::Events events;
  auto steps = carry_out(order, progress, StoreAnswer::Refused, RefundAnswer::Refunded, events);
  EXPECT_EQ(steps,
            (std::vector{CancelStep::RecordIntent, CancelStep::AskStore, CancelStep::UndoIntent, CancelStep::Refused}));
  EXPECT_EQ(order.status, Status::Accepted);
  EXPECT_FALSE(order.status_before_cancel);
  EXPECT_EQ(order.cancel_requested_at, 0);
  EXPECT_TRUE(events.empty());
  auto problem = order::cancel_problem(progress);
  EXPECT_EQ(problem.status, 409);
  EXPECT_NE(problem.detail.find("cooking has already started"), std::string::npos);
  // The report held back meanwhile applies now.
  order.cook_started();
  EXPECT_EQ(order.status, Status::Cooking);
  // Undone already (by a concurrent run): nothing more to undo.
  EXPECT_TRUE(order.undo_pending_cancel().empty());
  EXPECT_EQ(order.status, Status::Cooking);

  CancelProgress without_detail{.intent_recorded = true, .store = StoreAnswer::Refused, .undone = true};
  EXPECT_EQ(order::cancel_problem(without_detail).detail, "the store refused the cancel");
}

TEST(CancelSaga, StoreNotAnsweringLeavesItPendingUntilTheRecoveryFinishesIt) {
  auto order = paid_order();
  auto progress = CancelProgress::requested();
  platform::Events events;
  auto steps = carry_out(order, progress, StoreAnswer::Unreachable, RefundAnswer::Refunded, events, 1000);
  EXPECT_EQ(steps, (std::vector{CancelStep::RecordIntent, CancelStep::AskStore, CancelStep::StillPending}));
  EXPECT_EQ(order.status, Status::CancelPending);
  EXPECT_EQ(order.public_status(), Status::Paid);
  auto problem = order::cancel_problem(progress);
  EXPECT_EQ(problem.status, 503);
  EXPECT_NE(problem.detail.find("the cancel is retried until it answers"), std::string::npos);

  // The recovery leaves a cancel alone while its own request may still be running.
  EXPECT_FALSE(order::cancel_interrupted(order, 1000 + order::kResumeCancelAfterMs));
  ASSERT_TRUE(order::cancel_interrupted(order, 1001 + order::kResumeCancelAfterMs));
  auto resumed = CancelProgress::resumed();
  steps = carry_out(order, resumed, StoreAnswer::Agreed, RefundAnswer::Refunded, events);
  EXPECT_EQ(steps,
            (std::vector{CancelStep::AskStore, CancelStep::AskRefund, CancelStep::NoteCanceled, CancelStep::Canceled}));
  EXPECT_EQ(order.status, Status::Canceled);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "OrderCanceled");
  EXPECT_FALSE(order::cancel_interrupted(order, 1000000));
}

TEST(CancelSaga, AStoreAnsweringNeitherYesNorNoLeavesItPendingToo) {
  auto order = paid_order();
  auto progress = CancelProgress::requested();
  platform::Events events;
  EXPECT_EQ(carry_out(order, progress, StoreAnswer::Failed, RefundAnswer::Refunded, events).back(),
            CancelStep::StillPending);
  EXPECT_EQ(order.status, Status::CancelPending);
  auto problem = order::cancel_problem(progress);
  EXPECT_EQ(problem.status, 503);
  EXPECT_EQ(problem.detail, "the store could not cancel the cooking; try again");
}

TEST(CancelSaga, R6RefusesAtTheFirstStepOnceCookingStarted) {
  auto order = paid_order();
  order.accepted();
  order.cook_started();
  EXPECT_EQ(problem_status([&] { order.begin_cancel(1000); }), 409);
  EXPECT_EQ(order.status, Status::Cooking);
  auto canceled = paid_order();
  canceled.begin_cancel(1000);
  canceled.note_canceled(false);
  try {
    canceled.begin_cancel(2000);
    FAIL();
  } catch (const platform::Problem& problem) {
    EXPECT_EQ(problem.detail, "order 1 is already CANCELED");
  }
  EXPECT_EQ(problem_status([&] { canceled.note_canceled(true); }), 409);  // a second run ending late
}

}  // namespace
