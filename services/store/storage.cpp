#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace store {

const platform::Table<Store>& stores() {
  static const platform::Table<Store> table{
      "stores",
      "store",
      {{"store_id", [](const Store& s) { return s.store_id; }},
       {"name", [](const Store& s) { return s.name; }},
       {"category", [](const Store& s) { return s.category; }},
       {"address", [](const Store& s) { return s.address; }},
       {"lat", [](const Store& s) { return s.lat; }},
       {"lon", [](const Store& s) { return s.lon; }}},
      [](const platform::Row& row) {
        return Store{row.integer("store_id"), row.text("name"), row.text("category"),
                     row.text("address"),     row.real("lat"),  row.real("lon")};
      }};
  return table;
}

const platform::Table<FoodCooking>& cookings() {
  static const platform::Table<FoodCooking> table{
      "food_cookings",
      "food cooking for order",
      {{"order_id", [](const FoodCooking& c) { return c.order_id; }},
       {"store_id", [](const FoodCooking& c) { return c.store_id; }},
       {"customer", [](const FoodCooking& c) { return c.customer; }},
       {"items", [](const FoodCooking& c) { return c.items; }},
       {"total_price", [](const FoodCooking& c) { return c.total_price; }},
       {"address", [](const FoodCooking& c) { return c.address; }},
       {"lat", [](const FoodCooking& c) { return c.lat; }},
       {"lon", [](const FoodCooking& c) { return c.lon; }},
       {"status", [](const FoodCooking& c) { return std::string(to_string(c.status)); }},
       {"requested_at", [](const FoodCooking& c) { return c.requested_at; }},
       {"reason", [](const FoodCooking& c) { return platform::text_or_null(c.reason); }},
       {"updated_at", [](const FoodCooking&) { return platform::now_ms(); }}},
      [](const platform::Row& row) {
        return FoodCooking{row.integer("order_id"),
                           row.integer("store_id"),
                           row.text("customer"),
                           row.text("items"),
                           row.integer("total_price"),
                           row.text("address"),
                           row.real("lat"),
                           row.real("lon"),
                           cooking_status_from(row.text("status")),
                           row.integer("requested_at"),
                           row.text("reason")};
      }};
  return table;
}

std::vector<MenuItem> menu_of(platform::Db& db, std::int64_t store_id) {
  std::vector<MenuItem> menu;
  for (const auto& row :
       db.query("SELECT menu_id, name, price FROM menu_items WHERE store_id = ? ORDER BY menu_id", {store_id}))
    menu.push_back({row.integer("menu_id"), row.text("name"), row.integer("price")});
  return menu;
}

void seed_demo_stores(platform::Db& db) {
  if (!stores().select(db, "LIMIT 1").empty()) return;
  // One transaction for them all, so a start that fails halfway seeds them all next time.
  // The store's row goes first: its menu items refer to it.
  db.transaction([](platform::Db& tx) {
    for (const auto& store : demo_stores()) {
      platform::record(tx, stores(), store, store.opened());
      for (const auto& item : store.menu)
        tx.exec("INSERT INTO menu_items (menu_id, store_id, name, price) VALUES (?, ?, ?, ?)",
                {item.menu_id, store.store_id, item.name, item.price});
    }
  });
  platform::log::info("demo stores seeded");
}

std::map<std::int64_t, Reviews> reviews_by_store(platform::Db& db) {
  std::map<std::int64_t, Reviews> out;
  for (const auto& row : db.query("SELECT store_id, AVG(rating) AS rating, COUNT(*) AS review_count "
                                  "FROM store_ratings GROUP BY store_id"))
    out[row.integer("store_id")] = {row.real("rating"), row.integer("review_count")};
  return out;
}

void record_rating(platform::Db& tx, const contracts::OrderReviewed& reviewed) {
  tx.exec("INSERT INTO store_ratings (order_id, store_id, rating) VALUES (?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
          {reviewed.orderId, reviewed.storeId, reviewed.rating});
}

}  // namespace store
