#pragma once
// The rider service's adapters: storage (storage.cpp), HTTP handlers (http.cpp) and event
// reactions (reactions.cpp), wired by install (app.cpp).
#include "domain/delivery.hpp"
#include "domain/rider_position.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"
#include "platform/unit_of_work.hpp"

namespace rider {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
const platform::Table<Delivery>& deliveries();
const platform::Table<RiderPosition>& positions();

// What the rider holds and has not delivered yet, oldest first.
std::vector<Delivery> held_by(platform::Db& db, const std::string& rider);
// The open deliveries within the rider's radius, nearest first; a rider reads a short list,
// not every open delivery of a dense city.
std::vector<Delivery> offers_near(platform::Db& db, const RiderPosition& position);

void add_routes(platform::ServiceHost& host, double default_radius_km);
platform::Subscriptions subscriptions();

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace rider
