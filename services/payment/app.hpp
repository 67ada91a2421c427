#pragma once
// The payment service's adapters: storage (storage.cpp), HTTP handlers (http.cpp) and
// event reactions (reactions.cpp), wired by install (app.cpp).
#include "domain/payment.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"
#include "platform/unit_of_work.hpp"

namespace payment {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
const platform::Table<Payment>& payments();

// Refunds in the caller's transaction, whichever way the request came (the order service's
// synchronous call, OrderRejected, OrderCanceled): the payment's own state makes a second
// request a no-op, so a refund happens once.
Payment refund(platform::Db& tx, std::int64_t order_id);

void add_routes(platform::ServiceHost& host);
platform::Subscriptions subscriptions(const CardProcessor& processor);

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace payment
