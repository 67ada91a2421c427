#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace payment {

const platform::Table<Payment>& payments() {
  static const platform::Table<Payment> table{
      "payments",
      "payment for order",
      {platform::column("order_id", &Payment::order_id),
       platform::column("customer", &Payment::customer),
       platform::column("amount", &Payment::amount),
       {"status", [](const Payment& p) { return std::string(to_string(p.status)); }},
       {"reason", [](const Payment& p) { return platform::text_or_null(p.reason); }},
       platform::column("created_at", &Payment::created_at),
       {"updated_at", [](const Payment&) { return platform::now_ms(); }}},
      [](const platform::Row& row) {
        return Payment{row.integer("order_id"),          row.text("customer"), row.integer("amount"),
                       status_from(row.text("status")), row.text("reason"),   row.integer("created_at")};
      }};
  return table;
}

Payment refund(platform::Db& tx, std::int64_t order_id) {
  bool refunded = false;
  auto payment = platform::apply_in(
      tx, payments(), order_id,
      [&refunded](Payment& p) {
        auto events = p.cancel();
        refunded = !events.empty();
        return events;
      },
      [order_id] { return Payment::canceled_before_charge(order_id, platform::now_ms()); });
  if (refunded) platform::log::info("payment refunded", {{"orderId", std::to_string(order_id)}});
  return payment;
}

}  // namespace payment
