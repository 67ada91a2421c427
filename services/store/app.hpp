#pragma once
// The store service's adapters: storage (storage.cpp), HTTP handlers for the stores and
// their menus (catalog_http.cpp) and for the kitchen (kitchen_http.cpp), and event
// reactions (reactions.cpp), wired by install (app.cpp).
#include <map>
#include <optional>

#include "contracts/events.hpp"
#include "domain/catalog.hpp"
#include "domain/food_cooking.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"
#include "platform/unit_of_work.hpp"

namespace store {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
// A store's row, without its menu (menu_of).
const platform::Table<Store>& stores();
const platform::Table<FoodCooking>& cookings();

std::vector<MenuItem> menu_of(platform::Db& db, std::int64_t store_id);
// Menu ids are unique across stores: the order service's replica keys its menu by them.
std::int64_t next_menu_id(platform::Db& tx);
// An admin's new store, saved with its menu and its StoreChanged in one transaction.
Store create_store(platform::Db& db, const NewStore& request);
// An owner's change in one transaction: the store with its menu, changed by `change`
// (which may read in tx, e.g. the next menu id), saved whole with the events it caused.
// Problem 404 for an unknown store.
Store change_store(platform::Db& db, std::int64_t store_id,
                   const std::function<platform::Events(Store&, platform::Db&)>& change);
// The demo stores with their menus and StoreOpened, once, on the first start.
void seed_demo_stores(platform::Db& db);

// The rating comes from OrderReviewed events: customers' reviews live in the order service.
struct Reviews {
  std::optional<double> rating;  // the average; none before the first review
  std::int64_t count = 0;
};
// Every store's, or only one's.
std::map<std::int64_t, Reviews> reviews_by_store(platform::Db& db, std::optional<std::int64_t> only = std::nullopt);
// A review rates its store once, however often it is delivered.
void record_rating(platform::Db& tx, const contracts::OrderReviewed& reviewed);

void add_catalog_routes(platform::ServiceHost& host);
void add_kitchen_routes(platform::ServiceHost& host);
platform::Subscriptions subscriptions();

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace store
