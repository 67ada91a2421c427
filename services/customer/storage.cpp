#include "app.hpp"
#include "platform/clock.hpp"

namespace customer {

namespace {

using platform::Db;

template <class Field>
platform::Value rider(const OrderStatus& view, Field field) {
  return view.rider_position ? platform::Value(field(*view.rider_position)) : platform::Value(nullptr);
}

// A view's row; its timeline is kept in its own table.
const platform::Table<OrderStatus>& order_statuses() {
  static const platform::Table<OrderStatus> table{
      "order_statuses",
      "order status for order",
      {platform::column("order_id", &OrderStatus::order_id),
       platform::column("customer", &OrderStatus::customer),
       platform::column("store_id", &OrderStatus::store_id),
       platform::column("store_name", &OrderStatus::store_name),
       platform::column("status", &OrderStatus::status),
       platform::column("payment_status", &OrderStatus::payment_status),
       platform::column("rider_id", &OrderStatus::rider_id),
       platform::column("total_price", &OrderStatus::total_price),
       platform::column("items", &OrderStatus::items),
       {"rider_lat", [](const OrderStatus& v) { return rider(v, [](const RiderPosition& p) { return p.lat; }); }},
       {"rider_lon", [](const OrderStatus& v) { return rider(v, [](const RiderPosition& p) { return p.lon; }); }},
       {"rider_position_at",
        [](const OrderStatus& v) { return rider(v, [](const RiderPosition& p) { return p.reported_at; }); }},
       platform::column("estimated_arrival", &OrderStatus::estimated_arrival),
       platform::column("ride_minutes", &OrderStatus::ride_minutes),
       {"updated_at", [](const OrderStatus& v) { return v.timeline.back().at; }}},
      [](const platform::Row& row) {
        return OrderStatus{.order_id = row.integer("order_id"),
                           .customer = row.text("customer"),
                           .store_id = row.integer("store_id"),
                           .store_name = row.text("store_name"),
                           .status = row.text("status"),
                           .payment_status = row.text("payment_status"),
                           .rider_id = row.text("rider_id"),
                           .total_price = row.integer("total_price"),
                           .items = row.text("items"),
                           .rider_position = row.is_null("rider_position_at")
                                                 ? std::nullopt
                                                 : std::optional(RiderPosition{row.real("rider_lat"),
                                                                               row.real("rider_lon"),
                                                                               row.integer("rider_position_at")}),
                           .estimated_arrival = row.integer("estimated_arrival"),
                           .ride_minutes = row.integer("ride_minutes")};
      }};
  return table;
}

// The timeline's key is (order_id, seq), which a Table (one key column) does not describe.
OrderStatus with_timeline(Db& db, OrderStatus view) {
  for (const auto& step : db.query(
           "SELECT status, payment_status, event_type, at FROM timeline WHERE order_id = ? ORDER BY seq",
           {view.order_id}))
    view.timeline.push_back({step.text("status"), step.text("payment_status"), step.text("event_type"),
                             step.integer("at")});
  return view;
}

void mark_shape_current(Db& tx) {
  tx.exec("DELETE FROM view_shape");
  tx.exec("INSERT INTO view_shape (version) VALUES (?)", {static_cast<std::int64_t>(schema().size())});
}

}  // namespace

namespace status_view {

Shape check(Db& db) {
  if (db.query_one("SELECT version FROM view_shape")) return Shape::Current;
  if (db.query_one("SELECT id FROM fd_inbox LIMIT 1")) return Shape::Outdated;
  // Nothing was projected yet: the empty view fits its tables.
  db.transaction(mark_shape_current);
  return Shape::Current;
}

std::optional<OrderStatus> load(Db& db, std::int64_t order_id) {
  auto view = order_statuses().find(db, order_id);
  if (!view) return std::nullopt;
  return with_timeline(db, std::move(*view));
}

platform::paging::Slice<OrderStatus> of_customer(Db& db, const std::string& customer,
                                                 const platform::paging::PageRequest& page) {
  auto slice = platform::paging::select_page(db, order_statuses(), "WHERE customer = ?", {customer}, page,
                                             "order_id DESC");
  for (auto& view : slice.items) view = with_timeline(db, std::move(view));
  return slice;
}

void save(Db& tx, const OrderStatus& view, Effect effect) {
  order_statuses().save(tx, view);
  if (effect == Effect::RiderMoved) return;
  const auto& step = view.timeline.back();
  tx.exec("INSERT INTO timeline (order_id, seq, status, payment_status, event_type, at) VALUES (?, ?, ?, ?, ?, ?)",
          {view.order_id, static_cast<std::int64_t>(view.timeline.size()), step.status, step.payment_status,
           step.event_type, step.at});
}

void wipe(Db& tx) {
  tx.script("DELETE FROM timeline; DELETE FROM order_statuses; DELETE FROM fd_inbox;");
  mark_shape_current(tx);
}

}  // namespace status_view

const platform::Table<Notification>& notifications() {
  static const platform::Table<Notification> table{
      "notifications",
      "notification",
      {platform::column("id", &Notification::id),
       platform::column("order_id", &Notification::order_id),
       platform::column("status", &Notification::status),
       platform::column("customer", &Notification::customer),
       platform::column("text", &Notification::text),
       platform::column("state", &Notification::state),
       platform::column("attempts", &Notification::attempts),
       {"last_error", [](const Notification& n) { return platform::text_or_null(n.last_error); }},
       platform::column("created_at", &Notification::created_at),
       {"sent_at",
        [](const Notification& n) { return n.sent_at ? platform::Value(*n.sent_at) : platform::Value(nullptr); }},
       platform::column("next_attempt_at", &Notification::next_attempt_at)},
      [](const platform::Row& row) {
        return Notification{
            .id = row.integer("id"),
            .order_id = row.integer("order_id"),
            .status = row.text("status"),
            .customer = row.text("customer"),
            .text = row.text("text"),
            .state = row.text("state"),
            .attempts = row.integer("attempts"),
            .last_error = row.text("last_error"),
            .created_at = row.integer("created_at"),
            .sent_at = row.is_null("sent_at") ? std::nullopt : std::optional(row.integer("sent_at")),
            .next_attempt_at = row.integer("next_attempt_at")};
      }};
  return table;
}

void queue_notification(Db& tx, const OrderStatus& view) {
  if (!notifications().select(tx, "WHERE order_id = ? AND status = ?", {view.order_id, view.status}).empty()) return;
  MessageQueued::set();
  // Numbered here rather than by the database, the same in SQLite and PostgreSQL; the
  // projection's transaction is the only writer of new rows.
  notifications().insert(tx, Notification::announcing(notifications().next_key(tx), view, platform::now_ms()));
}

}  // namespace customer
