#include <gtest/gtest.h>

#include "problem_status.hpp"

#include "domain/payment.hpp"
#include "platform/problem.hpp"

namespace {

using payment::CardProcessor;
using payment::Payment;

TEST(CardProcessor, ApprovesUpToTheLimitAndDeclinesAbove) {
  CardProcessor processor{50000};
  EXPECT_TRUE(processor.authorize(50000).approved);
  auto declined = processor.authorize(50001);
  EXPECT_FALSE(declined.approved);
  EXPECT_NE(declined.reason.find("limit"), std::string::npos);
  EXPECT_FALSE(processor.authorize(0).approved);
}

TEST(Payment, ChargeApprovedPublishesPaymentApproved) {
  auto [paid, events] = Payment::charge(3, "customer1", 23000, CardProcessor{}, 42);
  EXPECT_EQ(paid.status, payment::Status::Approved);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "PaymentApproved");
  EXPECT_EQ(events[0].body.at("orderId").as_int64(), 3);
  EXPECT_EQ(events[0].body.at("amount").as_int64(), 23000);
  EXPECT_EQ(events[0].body.at("status").as_string(), "APPROVED");
}

TEST(Payment, ChargeDeclinedPublishesPaymentFailedWithTheReason) {
  auto [failed, events] = Payment::charge(4, "customer1", 999999, CardProcessor{100000}, 42);
  EXPECT_EQ(failed.status, payment::Status::Failed);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "PaymentFailed");
  EXPECT_EQ(events[0].body.at("status").as_string(), "FAILED");
  EXPECT_FALSE(events[0].body.at("reason").as_string().empty());
}

}  // namespace

namespace {


TEST(Payment, RefundsOnceAndNeverAfterSettlement) {
  auto [paid, ignored] = Payment::charge(3, "customer1", 23000, CardProcessor{}, 42);
  auto refund = paid.cancel();
  ASSERT_EQ(refund.size(), 1u);
  EXPECT_EQ(refund[0].type, "PaymentCanceled");
  EXPECT_EQ(refund[0].body.at("amount").as_int64(), 23000);
  EXPECT_TRUE(paid.cancel().empty());  // the second request finds it refunded
  EXPECT_EQ(paid.status, payment::Status::Canceled);

  auto [settled, ignored2] = Payment::charge(4, "customer1", 23000, CardProcessor{}, 42);
  EXPECT_EQ(settled.settle()[0].type, "PaymentSettled");
  EXPECT_EQ(problem_status([&] { settled.cancel(); }), 409);
  EXPECT_EQ(problem_status([&] { settled.settle(); }), 409);
}

TEST(Payment, ADeclinedOrLateChargeHasNothingToRefund) {
  auto [declined, ignored] = Payment::charge(5, "customer1", 999999, CardProcessor{1000}, 42);
  EXPECT_TRUE(declined.cancel().empty());
  auto tombstone = Payment::canceled_before_charge(6, 42);
  EXPECT_EQ(tombstone.status, payment::Status::Canceled);
  EXPECT_TRUE(tombstone.cancel().empty());
}

}  // namespace
