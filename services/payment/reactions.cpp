// The payment service's reactions to other services' events.
#include "app.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace payment {

platform::Subscriptions subscriptions(const CardProcessor& processor) {
  using platform::Db;
  // Compensation (C3): a rejected or canceled order is refunded, correlated by its orderId.
  auto refund_due = [](Db& tx, std::int64_t order_id) {
    try {
      refund(tx, order_id);
    } catch (const platform::Problem& refused) {
      platform::log::warn("refund refused", {{"orderId", std::to_string(order_id)}, {"reason", refused.detail}});
    }
  };
  return {
      platform::on<contracts::OrderPlaced>([processor](Db& tx, const contracts::OrderPlaced& placed) {
        if (auto known = payments().find(tx, placed.orderId)) {
          auto events = known->order_placed(placed.customerId);
          platform::record(tx, payments(), *known, events);
          platform::log::warn("order canceled before it was charged", {{"orderId", std::to_string(placed.orderId)}});
          return;
        }
        auto [payment, events] =
            Payment::charge(placed.orderId, placed.customerId, placed.totalPrice, processor, platform::now_ms());
        platform::record(tx, payments(), payment, events);
      }),
      platform::on<contracts::OrderRejected>(
          [refund_due](Db& tx, const contracts::OrderRejected& rejected) { refund_due(tx, rejected.orderId); }),
      platform::on<contracts::OrderCanceled>(
          [refund_due](Db& tx, const contracts::OrderCanceled& canceled) { refund_due(tx, canceled.orderId); }),
      platform::on<contracts::DeliveryConfirmed>(
          payments(), [](Payment& payment, const contracts::DeliveryConfirmed&) { return payment.settle(); }),
  };
}

}  // namespace payment
