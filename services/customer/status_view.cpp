#include "status_view.hpp"

namespace customer::status_view {

namespace {

using platform::Db;

// Raise when the tables change: a start on tables of an older shape rebuilds them.
constexpr std::int64_t kShape = 2;

constexpr const char* kTables = R"(
CREATE TABLE IF NOT EXISTS order_statuses (
  order_id INTEGER PRIMARY KEY, customer TEXT NOT NULL, store_id INTEGER NOT NULL, store_name TEXT NOT NULL,
  status TEXT NOT NULL, payment_status TEXT NOT NULL, rider_id TEXT NOT NULL, total_price INTEGER NOT NULL,
  items TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS order_statuses_by_customer ON order_statuses (customer, order_id);
CREATE TABLE IF NOT EXISTS timeline (
  order_id INTEGER NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, payment_status TEXT NOT NULL,
  event_type TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (order_id, seq));
)";

constexpr const char* kSelect =
    "SELECT order_id, customer, store_id, store_name, status, payment_status, rider_id, total_price, items "
    "FROM order_statuses ";

void drop_tables(Db& tx) {
  tx.script("DROP TABLE IF EXISTS timeline; DROP TABLE IF EXISTS order_statuses; DELETE FROM view_shape;");
}

OrderStatus with_timeline(Db& db, const platform::Row& row) {
  OrderStatus view{row.integer(0), row.text(1), row.integer(2),  row.text(3), row.text(4),
                   row.text(5),    row.text(6), row.integer(7), row.text(8), {}};
  for (const auto& step : db.query(
           "SELECT status, payment_status, event_type, at FROM timeline WHERE order_id = ? ORDER BY seq",
           {view.order_id}))
    view.timeline.push_back({step.text(0), step.text(1), step.text(2), step.integer(3)});
  return view;
}

}  // namespace

Shape prepare(Db& db) {
  db.script("CREATE TABLE IF NOT EXISTS view_shape (version INTEGER NOT NULL);");
  auto stored = db.query_one("SELECT version FROM view_shape");
  if (stored && stored->integer(0) == kShape) {
    db.script(kTables);
    return Shape::Current;
  }
  if (db.query_one("SELECT 1 FROM fd_inbox LIMIT 1")) return Shape::Outdated;
  // Nothing was projected yet: whatever tables are there hold nothing worth keeping.
  db.transaction([](Db& tx) {
    drop_tables(tx);
    tx.script(kTables);
    tx.exec("INSERT INTO view_shape (version) VALUES (?)", {kShape});
  });
  return Shape::Current;
}

std::optional<OrderStatus> load(Db& db, std::int64_t order_id) {
  auto row = db.query_one(std::string(kSelect) + "WHERE order_id = ?", {order_id});
  if (!row) return std::nullopt;
  return with_timeline(db, *row);
}

std::vector<OrderStatus> of_customer(Db& db, const std::string& customer, std::int64_t limit) {
  std::vector<OrderStatus> views;
  for (const auto& row : db.query(std::string(kSelect) + "WHERE customer = ? ORDER BY order_id DESC LIMIT ?",
                                  {customer, limit}))
    views.push_back(with_timeline(db, row));
  return views;
}

void save(Db& tx, const OrderStatus& view) {
  const auto& step = view.timeline.back();
  tx.exec("INSERT INTO order_statuses (order_id, customer, store_id, store_name, status, payment_status, rider_id, "
          "total_price, items, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET "
          "store_name = excluded.store_name, status = excluded.status, payment_status = excluded.payment_status, "
          "rider_id = excluded.rider_id, updated_at = excluded.updated_at",
          {view.order_id, view.customer, view.store_id, view.store_name, view.status, view.payment_status,
           view.rider_id, view.total_price, view.items, step.at});
  tx.exec("INSERT INTO timeline (order_id, seq, status, payment_status, event_type, at) VALUES (?, ?, ?, ?, ?, ?)",
          {view.order_id, static_cast<std::int64_t>(view.timeline.size()), step.status, step.payment_status,
           step.event_type, step.at});
}

void wipe(Db& tx) {
  tx.script("CREATE TABLE IF NOT EXISTS view_shape (version INTEGER NOT NULL);");
  drop_tables(tx);
  tx.exec("DELETE FROM fd_inbox");
}

}  // namespace customer::status_view
