#pragma once
// The read model's tables: one row per order and its timeline. Written only by the
// projection of events, so they can be dropped and rebuilt from the stream at any time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/order_status.hpp"
#include "platform/db.hpp"

namespace customer::status_view {

enum class Shape { Current, Outdated };

// Creates the tables. Outdated when events were already projected into tables of an older
// shape: the view must then be rebuilt from the stream (rebuild.hpp) before it is used.
Shape prepare(platform::Db& db);

std::optional<OrderStatus> load(platform::Db& db, std::int64_t order_id);
// The customer's orders, newest first.
std::vector<OrderStatus> of_customer(platform::Db& db, const std::string& customer, std::int64_t limit);
// Stores the view after apply() changed it: its row and its newest step.
void save(platform::Db& tx, const OrderStatus& view);

// Drops the tables and forgets which events were projected (the inbox), so that the stream
// delivered again fills an empty view. The notifications are not touched.
void wipe(platform::Db& tx);

}  // namespace customer::status_view
