#include <algorithm>
#include <boost/json.hpp>

#include "app.hpp"
#include "contracts/codec.hpp"
#include "platform/clock.hpp"
#include "platform/log.hpp"

namespace store {

const platform::Table<Store>& stores() {
  using contracts::codec::read;
  using contracts::codec::write;
  static const platform::Table<Store> table{
      "stores",
      "store",
      {platform::column("store_id", &Store::store_id),
       platform::column("name", &Store::name),
       platform::column("category", &Store::category),
       platform::column("address", &Store::address),
       platform::column("lat", &Store::lat),
       platform::column("lon", &Store::lon),
       platform::column("open", &Store::open),
       {"opening_hours", [](const Store& s) { return boost::json::serialize(write(s.opening_hours)); }},
       platform::column("minimum_order", &Store::minimum_order),
       {"delivery_fees", [](const Store& s) { return boost::json::serialize(write(s.delivery_fees)); }},
       platform::column("revision", &Store::revision)},
      [](const platform::Row& row) {
        Store store{row.integer("store_id"), row.text("name"), row.text("category"),
                    row.text("address"),     row.real("lat"),  row.real("lon")};
        store.open = row.integer("open") != 0;
        store.opening_hours =
            read<std::vector<contracts::OpeningHours>>(boost::json::parse(row.text("opening_hours")), "opening_hours");
        store.minimum_order = row.integer("minimum_order");
        store.delivery_fees =
            read<std::vector<contracts::FeeBand>>(boost::json::parse(row.text("delivery_fees")), "delivery_fees");
        store.revision = row.integer("revision");
        return store;
      }};
  return table;
}

const platform::Table<FoodCooking>& cookings() {
  static const platform::Table<FoodCooking> table{
      "food_cookings",
      "food cooking for order",
      {platform::column("order_id", &FoodCooking::order_id),
       platform::column("store_id", &FoodCooking::store_id),
       platform::column("customer", &FoodCooking::customer),
       platform::column("items", &FoodCooking::items),
       platform::column("total_price", &FoodCooking::total_price),
       platform::column("address", &FoodCooking::address),
       platform::column("lat", &FoodCooking::lat),
       platform::column("lon", &FoodCooking::lon),
       {"status", [](const FoodCooking& c) { return std::string(to_string(c.status)); }},
       platform::column("requested_at", &FoodCooking::requested_at),
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
  for (const auto& row : db.query(
           "SELECT menu_id, name, price, description, category, sold_out FROM menu_items WHERE store_id = ? "
           "ORDER BY menu_id",
           {store_id}))
    menu.push_back({row.integer("menu_id"), row.text("name"), row.integer("price"), row.text("description"),
                    row.text("category"), row.integer("sold_out") != 0});
  return menu;
}

namespace {

void insert_menu(platform::Db& tx, const Store& store) {
  for (const auto& item : store.menu)
    tx.exec(
        "INSERT INTO menu_items (menu_id, store_id, name, price, description, category, sold_out) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {item.menu_id, store.store_id, item.name, item.price, item.description, item.category,
         std::int64_t{item.sold_out}});
}

}  // namespace

std::int64_t next_menu_id(platform::Db& tx) {
  return tx.next_id("menu_items", "menu_id");
}

Store create_store(platform::Db& db, const NewStore& request) {
  std::optional<Store> created;
  db.transaction([&](platform::Db& tx) {
    // The new dishes are saved after they all have ids, and SQLite's next id reads MAX + 1:
    // each id is past the one before it (a PostgreSQL sequence is past it anyway).
    std::int64_t last = 0;
    auto ids = [&tx, &last] { return last = std::max(next_menu_id(tx), last + 1); };
    auto [store, events] = Store::create(stores().next_key(tx), request, ids);
    platform::record(tx, stores(), store, events);
    insert_menu(tx, store);
    created = std::move(store);
  });
  return std::move(*created);
}

Store change_store(platform::Db& db, std::int64_t store_id, const std::function<platform::Events(Store&, platform::Db&)>& change) {
  std::optional<Store> changed;
  db.transaction([&](platform::Db& tx) {
    auto store = stores().get(tx, store_id);
    store.menu = menu_of(tx, store_id);
    auto events = change(store, tx);
    platform::record(tx, stores(), store, events);
    // The menu is saved whole, as the event carries it: a removed dish is gone.
    tx.exec("DELETE FROM menu_items WHERE store_id = ?", {store_id});
    insert_menu(tx, store);
    changed = std::move(store);
  });
  return std::move(*changed);
}

void seed_demo_stores(platform::Db& db) {
  if (!stores().select(db, "LIMIT 1").empty()) return;
  // One transaction for them all, so a start that fails halfway seeds them all next time.
  // The store's row goes first: its menu items refer to it.
  bool seeds = false;
  db.transaction([&seeds](platform::Db& tx) {
    tx.lock("demo seed");  // replicas starting at once: the first seeds, the others find it done
    seeds = stores().select(tx, "LIMIT 1").empty();
    if (!seeds) return;
    for (const auto& store : demo_stores()) {
      platform::record(tx, stores(), store, store.opened());
      insert_menu(tx, store);
    }
  });
  if (seeds) platform::log::info("demo stores seeded");
}

std::map<std::int64_t, Reviews> reviews_by_store(platform::Db& db, std::optional<std::int64_t> only) {
  std::map<std::int64_t, Reviews> out;
  const std::string sql = std::string("SELECT store_id, AVG(rating) AS rating, COUNT(*) AS review_count FROM store_ratings ") +
                          (only ? "WHERE store_id = ? " : "") + "GROUP BY store_id";
  for (const auto& row : db.query(sql, only ? std::vector<platform::Value>{*only} : std::vector<platform::Value>{}))
    out[row.integer("store_id")] = {row.real("rating"), row.integer("review_count")};
  return out;
}

void record_rating(platform::Db& tx, const contracts::OrderReviewed& reviewed) {
  tx.exec("INSERT INTO store_ratings (order_id, store_id, rating) VALUES (?, ?, ?) ON CONFLICT (order_id) DO NOTHING",
          {reviewed.orderId, reviewed.storeId, reviewed.rating});
}

}  // namespace store
