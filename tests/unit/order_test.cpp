#include <gtest/gtest.h>

#include "problem_status.hpp"

#include <boost/json.hpp>

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


const char* kValid = R"({"storeId":1,"items":[{"menuId":101,"qty":2},{"menuId":104,"qty":1}],
                         "address":"서울 강남구 테헤란로 1","lat":37.5,"lon":127.03})";

TEST(PlaceOrder, PricesLinesFromTheMenuNotTheClient) {
  auto command = order::parse_place_order(request(kValid));
  auto [placed, events] = Order::place(7, "customer1", command, "교촌치킨", menu, 1000);
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
           R"({"storeId":1,"items":[{"menuId":101,"qty":"2"}],"address":"a","lat":1,"lon":1})",
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
  EXPECT_EQ(problem_status([&] { Order::place(1, "c", command, "", menu, 0); }), 400);
  command.items = {{201, 1}};  // store 2's dish ordered from store 1
  EXPECT_EQ(problem_status([&] { Order::place(1, "c", command, "s", menu, 0); }), 400);
  command.items = {{999, 1}};
  EXPECT_EQ(problem_status([&] { Order::place(1, "c", command, "s", menu, 0); }), 400);
}

TEST(OrderStateMachine, PaymentOutcomeMovesAPlacedOrderOnce) {
  auto [paid, ignored] = Order::place(1, "c", order::parse_place_order(request(kValid)), "s", menu, 0);
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
  auto [order, events] = Order::place(1, "customer1", order::parse_place_order(request(kValid)), "s", menu, 0);
  order.payment_approved();
  return order;
}

TEST(OrderLifecycle, FollowsTheKitchenAndTheRiderToDelivery) {
  auto order = paid_order();
  EXPECT_TRUE(order.accepted().empty());
  EXPECT_TRUE(order.cook_started().empty());
  EXPECT_EQ(problem_status([&] { order.check_cancelable(); }), 409);
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
  auto reviewed = order.review(3, {1, 5, "맛있어요"});
  EXPECT_EQ(reviewed[0].type, "OrderReviewed");
  EXPECT_EQ(reviewed[0].body.at("rating").as_int64(), 5);
  EXPECT_EQ(reviewed[0].body.at("storeId").as_int64(), 1);
}

TEST(OrderLifecycle, AReportThatOvertookAnEarlierOneIsToBeTriedAgain) {
  auto [placed, events] = Order::place(1, "customer1", order::parse_place_order(request(kValid)), "s", menu, 0);
  EXPECT_THROW(placed.rejected(), order::TooEarly);  // OrderRejected before PaymentApproved
  EXPECT_EQ(placed.status, Status::Placed);
  auto paid = paid_order();
  EXPECT_THROW(paid.cook_finished(), order::TooEarly);
  paid.status = Status::Canceled;
  EXPECT_EQ(problem_status([&] { paid.cook_started(); }), 409);  // past it: stale, dropped
}

TEST(OrderLifecycle, RefusesStepsOutOfOrderAndChangesNothing) {
  auto order = paid_order();
  order.accepted();
  order.cook_started();
  EXPECT_EQ(problem_status([&] { order.accepted(); }), 409);
  EXPECT_EQ(problem_status([&] { order.confirm_delivery(); }), 409);
  EXPECT_EQ(problem_status([&] { order.review(1, {1, 5, ""}); }), 409);
  EXPECT_EQ(order.status, Status::Cooking);
}

TEST(OrderCancel, AllowedUntilCookingStartsAndSaysWhetherRefunded) {
  for (auto before : {Status::Placed, Status::Paid, Status::Accepted}) {
    auto order = paid_order();
    order.status = before;
    auto events = order.cancel(true);
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
    EXPECT_EQ(problem_status([&] { order.cancel(false); }), 409) << order::to_string(after);
    EXPECT_EQ(order.status, after);
  }
}

TEST(OrderCancel, TheRefusalAfterCookingSaysWhy) {
  auto order = paid_order();
  order.status = Status::Cooking;
  try {
    order.check_cancelable();
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
