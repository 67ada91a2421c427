#pragma once
// The rider service's adapters: storage (storage.cpp), HTTP handlers (http.cpp) and event
// reactions (reactions.cpp), wired by install (app.cpp).
#include "domain/delivery.hpp"
#include "domain/rider_position.hpp"
#include "platform/paging.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"
#include "platform/unit_of_work.hpp"

namespace rider {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
const platform::Table<Delivery>& deliveries();
const platform::Table<RiderPosition>& positions();

// One page of what the rider holds and has not delivered yet, oldest first.
platform::paging::Slice<Delivery> held_by(platform::Db& db, const std::string& rider,
                                          const platform::paging::PageRequest& page);
// The open deliveries within the rider's radius, nearest first; a rider reads a short list,
// not every open delivery of a dense city.
std::vector<Delivery> offers_near(platform::Db& db, const RiderPosition& position);

struct Settings {
  double default_radius_km = 3;          // FD_RIDER_RADIUS_KM
  std::int64_t position_interval_s = 3;  // FD_RIDER_POSITION_INTERVAL_S
};
void add_routes(platform::ServiceHost& host, const Settings& settings);
platform::Subscriptions subscriptions();

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace rider
