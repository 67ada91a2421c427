// The rider service's reactions to other services' events.
#include "app.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace rider {

platform::Subscriptions subscriptions() {
  using platform::Db;
  return {
      // A repeated CookFinished (a store replaying its events) opens nothing new.
      platform::on<contracts::CookFinished>([](Db& tx, const contracts::CookFinished& cooked) {
        if (deliveries().find(tx, cooked.orderId)) return;
        deliveries().insert(tx, Delivery::open(cooked, platform::now_ms()));
        platform::log::info("delivery opened to nearby riders", {{"orderId", std::to_string(cooked.orderId)}});
      }),
      platform::on<contracts::DeliveryConfirmed>(
          deliveries(), [](Delivery& delivery, const contracts::DeliveryConfirmed& confirmed) {
            auto events = delivery.delivery_confirmed();
            platform::log::info("delivered",
                                {{"orderId", std::to_string(confirmed.orderId)}, {"rider", delivery.rider}});
            return events;
          }),
  };
}

}  // namespace rider
