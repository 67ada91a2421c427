// The customer service's reactions: every step of an order projected into its status view.
#include "app.hpp"
#include "contracts/events.hpp"

namespace customer {

namespace {

// The view and the message announcing a new status are committed together with the event's
// inbox entry: a status change is never seen without its message queued, nor the reverse.
template <class E>
platform::Subscription follow() {
  return platform::on<E>([](platform::Db& tx, const E& event, const platform::ReceivedEvent& received) {
    auto view = status_view::load(tx, event.orderId);
    auto effect = apply(view, event, received.timestamp());
    if (effect == Effect::Ignored) return;
    status_view::save(tx, *view, effect);
    if (effect == Effect::StatusChanged) queue_notification(tx, *view);
  });
}

}  // namespace

platform::Subscriptions subscriptions() {
  using namespace contracts;
  return {follow<OrderPlaced>(),     follow<PaymentApproved>(),  follow<PaymentFailed>(), follow<PaymentCanceled>(),
          follow<PaymentSettled>(),  follow<OrderAccepted>(),    follow<OrderRejected>(), follow<CookStarted>(),
          follow<CookFinished>(),    follow<OrderCanceled>(),    follow<DeliveryAssigned>(), follow<Picked>(),
          follow<RiderPositionReported>(), follow<DeliveryConfirmed>()};
}

}  // namespace customer
