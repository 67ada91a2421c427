// The order service's reactions to other services' events.
#include "app.hpp"

namespace order {

namespace {

// A report of a step that moves the order and tells it nothing more than that it happened.
template <class Reported>
platform::Subscription report(platform::Events (Order::*step)()) {
  return platform::on<Reported>(orders(), [step](Order& order, const Reported&) { return (order.*step)(); });
}

}  // namespace

platform::Subscriptions subscriptions() {
  return {
      platform::on<contracts::StoreOpened>([](platform::Db& tx, const contracts::StoreOpened& opened) {
        replicate(tx, opened);
      }),
      platform::on<contracts::StoreChanged>([](platform::Db& tx, const contracts::StoreChanged& changed) {
        replicate(tx, changed);
      }),
      report<contracts::PaymentApproved>(&Order::payment_approved),
      report<contracts::PaymentFailed>(&Order::payment_failed),
      report<contracts::OrderAccepted>(&Order::accepted),
      report<contracts::OrderRejected>(&Order::rejected),
      report<contracts::CookStarted>(&Order::cook_started),
      report<contracts::CookFinished>(&Order::cook_finished),
      platform::on<contracts::DeliveryAssigned>(orders(),
                                                [](Order& order, const contracts::DeliveryAssigned& assigned) {
                                                  return order.rider_assigned(assigned.riderId);
                                                }),
      report<contracts::Picked>(&Order::picked_up),
  };
}

}  // namespace order
