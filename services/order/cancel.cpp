// The cancel saga's I/O; domain/cancel_order.hpp decides every step. The store and payment
// are asked synchronously (C4) because the customer waits for the answer.
#include <boost/json.hpp>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/http_client.hpp"
#include "platform/log.hpp"

namespace order {

namespace {

std::string detail_of(const platform::Response& reply) {
  boost::system::error_code ec;
  auto body = boost::json::parse(reply.body, ec);
  if (!ec && body.is_object())
    if (auto* detail = body.as_object().if_contains("detail"); detail && detail->is_string())
      return std::string(detail->get_string());
  return {};
}

}  // namespace

CancelSaga::CancelSaga(platform::ServiceHost& host)
    : db_(host.db()),
      identity_(host.identity()),
      store_breaker_(host.breaker("store")),
      payment_breaker_(host.breaker("payment")),
      store_url_(host.config().get("STORE_URL", "http://127.0.0.1:8084")),
      payment_url_(host.config().get("PAYMENT_URL", "http://127.0.0.1:8083")),
      store_timeout_ms_(host.config().integer("STORE_TIMEOUT_MS", 2000)),
      // The seeds' Hystrix timeout.
      payment_timeout_ms_(host.config().integer("PAYMENT_TIMEOUT_MS", 610)) {}

Order CancelSaga::cancel(std::int64_t order_id) const { return run(order_id, CancelProgress::requested()); }

void CancelSaga::recover() const {
  auto now = platform::now_ms();
  for (const auto& order : orders().select(db_, "WHERE status = ?", {std::string(to_string(Status::CancelPending))})) {
    if (!cancel_interrupted(order, now)) continue;
    try {
      run(order.id, CancelProgress::resumed());
    } catch (const platform::Problem& problem) {
      platform::log::warn("interrupted cancel not finished yet",
                          {{"orderId", std::to_string(order.id)}, {"reason", problem.detail}});
    }
  }
}

Order CancelSaga::run(std::int64_t order_id, CancelProgress progress) const {
  auto local_step = [&](auto transition) { return platform::apply(db_, orders(), order_id, transition); };
  std::optional<Order> canceled;
  for (;;) {
    switch (next_step(progress)) {
      case CancelStep::RecordIntent:
        local_step([now = platform::now_ms()](Order& order) { return order.begin_cancel(now); });
        progress.intent_recorded = true;
        break;
      case CancelStep::AskStore: progress.store = ask_store(order_id, progress.store_detail); break;
      case CancelStep::UndoIntent:
        local_step([](Order& order) { return order.undo_pending_cancel(); });
        progress.undone = true;
        break;
      case CancelStep::AskRefund: progress.refund = ask_refund(order_id); break;
      case CancelStep::NoteCanceled:
        canceled = local_step([refunded = progress.refunded()](Order& order) { return order.note_canceled(refunded); });
        progress.noted = true;
        break;
      case CancelStep::Canceled:
        platform::log::info("order canceled", {{"orderId", std::to_string(order_id)},
                                               {"refunded", progress.refunded() ? "now" : "later"}});
        return std::move(*canceled);
      case CancelStep::Refused:
      case CancelStep::StillPending: throw cancel_problem(progress);
    }
  }
}

StoreAnswer CancelSaga::ask_store(std::int64_t order_id, std::string& detail) const {
  auto target = "/internal/foodCookings/" + std::to_string(order_id) + "/cancel";
  platform::Response reply;
  try {
    auto store = platform::HttpClient::to(store_url_, std::chrono::milliseconds(store_timeout_ms_));
    store.guard(store_breaker_);
    reply = store.send("PUT", target, {}, {{"Authorization", "Bearer " + identity_.service_token("order")}});
  } catch (const std::exception& error) {
    platform::log::warn("store did not answer the cancel",
                        {{"orderId", std::to_string(order_id)}, {"error", error.what()}});
    return StoreAnswer::Unreachable;
  }
  if (reply.status == 409) {
    detail = detail_of(reply);
    return StoreAnswer::Refused;
  }
  if (reply.status != 200) {
    platform::log::warn("store refused the cancel", {{"orderId", std::to_string(order_id)}, {"reply", reply.body}});
    return StoreAnswer::Failed;
  }
  return StoreAnswer::Agreed;
}

RefundAnswer CancelSaga::ask_refund(std::int64_t order_id) const {
  auto target = "/internal/payments/" + std::to_string(order_id) + "/cancel";
  try {
    auto payment = platform::HttpClient::to(payment_url_, std::chrono::milliseconds(payment_timeout_ms_));
    payment.guard(payment_breaker_);
    auto reply = payment.send("PUT", target, {}, {{"Authorization", "Bearer " + identity_.service_token("order")}});
    if (reply.status == 200) return RefundAnswer::Refunded;
    platform::log::warn("payment refused the cancel; refund follows from OrderCanceled",
                        {{"orderId", std::to_string(order_id)}, {"reply", reply.body}});
  } catch (const std::exception& error) {
    platform::log::warn("payment did not answer the cancel; refund follows from OrderCanceled",
                        {{"orderId", std::to_string(order_id)}, {"error", error.what()}});
  }
  return RefundAnswer::Fallback;
}

}  // namespace order
