// The store service's reactions to other services' events.
#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace store {

platform::Subscriptions subscriptions() {
  using platform::Db;
  return {
      platform::on<contracts::OrderPlaced>([](Db& tx, const contracts::OrderPlaced& placed) {
        if (cookings().find(tx, placed.orderId)) return;  // canceled before it arrived
        cookings().insert(tx, FoodCooking::placed(placed));
      }),
      platform::on<contracts::PaymentApproved>(cookings(),
                                               [](FoodCooking& cooking, const contracts::PaymentApproved&) {
                                                 auto events = cooking.payment_approved(platform::now_ms());
                                                 platform::log::info("order reached the store",
                                                                     {{"orderId", std::to_string(cooking.order_id)}});
                                                 return events;
                                               }),
      platform::on<contracts::PaymentFailed>(
          cookings(), [](FoodCooking& cooking, const contracts::PaymentFailed&) { return cooking.payment_failed(); }),
      platform::on<contracts::OrderCanceled>(
          cookings(), [](FoodCooking& cooking, const contracts::OrderCanceled&) { return cooking.cancel(); }),
      platform::on<contracts::OrderReviewed>(
          [](Db& tx, const contracts::OrderReviewed& reviewed) { record_rating(tx, reviewed); }),
  };
}

}  // namespace store
