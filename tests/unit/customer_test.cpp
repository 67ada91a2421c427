#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/order_status.hpp"

namespace {

boost::json::object placed() {
  return boost::json::parse(R"({"orderId":5,"customerId":"customer1","storeId":1,"totalPrice":23000,
                                "items":[{"menuId":101,"name":"허니콤보","price":23000,"qty":1}],"timestamp":100})")
      .as_object();
}

TEST(OrderStatusView, FollowsPlacedThenPaidWithATimeline) {
  std::optional<customer::OrderStatus> view;
  ASSERT_TRUE(customer::apply(view, "OrderPlaced", placed()));
  EXPECT_EQ(view->status, "PLACED");
  ASSERT_TRUE(customer::apply(view, "PaymentApproved", boost::json::parse(R"({"orderId":5,"timestamp":150})").as_object()));
  EXPECT_EQ(view->status, "PAID");
  ASSERT_EQ(view->timeline.size(), 2u);
  EXPECT_EQ(view->timeline[0].at, 100);
  EXPECT_EQ(view->timeline[1].status, "PAID");
  EXPECT_EQ(view->timeline[1].event_type, "PaymentApproved");
}

TEST(OrderStatusView, IgnoresEventsForUnknownOrdersAndUnrelatedTypes) {
  std::optional<customer::OrderStatus> view;
  EXPECT_FALSE(customer::apply(view, "PaymentApproved", boost::json::parse(R"({"orderId":5})").as_object()));
  EXPECT_FALSE(view.has_value());
  ASSERT_TRUE(customer::apply(view, "OrderPlaced", placed()));
  EXPECT_FALSE(customer::apply(view, "OrderPlaced", placed()));
  EXPECT_FALSE(customer::apply(view, "StoreOpened", placed()));
  EXPECT_EQ(view->timeline.size(), 1u);
}

TEST(OrderStatusView, PaymentFailedIsTheCustomersWord) {
  std::optional<customer::OrderStatus> view;
  customer::apply(view, "OrderPlaced", placed());
  customer::apply(view, "PaymentFailed", boost::json::parse(R"({"orderId":5,"reason":"limit"})").as_object());
  EXPECT_EQ(view->status, "PAYMENT_FAILED");
}

}  // namespace
