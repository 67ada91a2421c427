#include <gtest/gtest.h>

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

int status_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const platform::Problem& problem) {
    return problem.status;
  }
  return 0;
}

const char* kValid = R"({"storeId":1,"items":[{"menuId":101,"qty":2},{"menuId":104,"qty":1}],
                         "address":"서울 강남구 테헤란로 1","lat":37.5,"lon":127.03})";

TEST(PlaceOrder, PricesLinesFromTheMenuNotTheClient) {
  auto command = order::parse_place_order(request(kValid));
  auto [placed, events] = Order::place(7, "customer1", command, true, menu, 1000);
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
    EXPECT_EQ(status_of([&] { order::parse_place_order(request(body)); }), 400) << body;
  }
}

TEST(PlaceOrder, RefusesUnknownStoreAndForeignMenuItems) {
  auto command = order::parse_place_order(request(kValid));
  EXPECT_EQ(status_of([&] { Order::place(1, "c", command, false, menu, 0); }), 400);
  command.items = {{201, 1}};  // store 2's dish ordered from store 1
  EXPECT_EQ(status_of([&] { Order::place(1, "c", command, true, menu, 0); }), 400);
  command.items = {{999, 1}};
  EXPECT_EQ(status_of([&] { Order::place(1, "c", command, true, menu, 0); }), 400);
}

TEST(OrderStateMachine, PaymentOutcomeMovesAPlacedOrderOnce) {
  auto [paid, ignored] = Order::place(1, "c", order::parse_place_order(request(kValid)), true, menu, 0);
  paid.payment_approved();
  EXPECT_EQ(paid.status, Status::Paid);
  EXPECT_EQ(status_of([&] { paid.payment_approved(); }), 409);
  EXPECT_EQ(status_of([&] { paid.payment_failed(); }), 409);

  auto failed = paid;
  failed.status = Status::Placed;
  failed.payment_failed();
  EXPECT_EQ(failed.status, Status::PaymentFailed);
  EXPECT_EQ(status_of([&] { failed.payment_approved(); }), 409);
}

TEST(OrderStatus, RoundTripsItsWords) {
  for (auto status : {Status::Placed, Status::Paid, Status::PaymentFailed})
    EXPECT_EQ(order::status_from(order::to_string(status)), status);
  EXPECT_THROW(order::status_from("COOKED?"), std::invalid_argument);
}

}  // namespace
