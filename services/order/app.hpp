#pragma once
// The order service's adapters: storage (storage.cpp), HTTP handlers for orders (http.cpp)
// and reviews (reviews.cpp), the cancel saga's calls (cancel.cpp) and event reactions
// (reactions.cpp), wired by install (app.cpp).
#include <memory>

#include "contracts/events.hpp"
#include "domain/cancel_order.hpp"
#include "domain/idempotency.hpp"
#include "domain/order.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"
#include "platform/unit_of_work.hpp"

namespace order {

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();
const platform::Table<Order>& orders();
const platform::Table<Review>& reviews();

// The catalog: a replica of the stores (CatalogStore) and their menus, so that pricing an
// order never waits on another service.
const platform::Table<CatalogStore>& catalog_stores();
const platform::Table<MenuItem>& catalog_menu();
void replicate(platform::Db& tx, const contracts::StoreOpened& opened);
void replicate(platform::Db& tx, const contracts::StoreChanged& changed);

// POST /orders with an Idempotency-Key (domain/idempotency.hpp; idempotency.cpp says why it
// is one transaction): `place` records the order in the transaction that claims the
// customer's key and returns the 201's body; a key used before gets its first answer
// (replayed) or Problem 422, and nothing is placed.
struct KeyedAnswer {
  std::int64_t order_id = 0;
  std::string body;
  bool replayed = false;
};
KeyedAnswer place_once(platform::Db& db, const std::string& customer, const std::string& key,
                       const PlaceOrder& command, const std::function<KeyedAnswer(platform::Db&)>& place);
// Keys are kept FD_IDEMPOTENCY_KEY_TTL_SECONDS (24 hours by default): a retry comes within
// minutes, and a key older than that may be used again for a new order.
void forget_idempotency_keys(platform::Db& db, std::int64_t older_than_ms);

// Runs the cancel saga (domain/cancel_order.hpp): the synchronous calls to the store and to
// payment behind their circuit breakers, each local step in the unit of work.
class CancelSaga {
 public:
  explicit CancelSaga(platform::ServiceHost& host);
  // A customer's cancel: the canceled order, or the saga's Problem (409, 503).
  Order cancel(std::int64_t order_id) const;
  // Resumes every interrupted cancel.
  void recover() const;

 private:
  Order run(std::int64_t order_id, CancelProgress progress) const;
  StoreAnswer ask_store(std::int64_t order_id, std::string& detail) const;
  RefundAnswer ask_refund(std::int64_t order_id) const;

  platform::Db& db_;
  const platform::Identity& identity_;
  std::shared_ptr<platform::CircuitBreaker> store_breaker_;
  std::shared_ptr<platform::CircuitBreaker> payment_breaker_;
  std::string store_url_;
  std::string payment_url_;
  std::int64_t store_timeout_ms_;
  std::int64_t payment_timeout_ms_;
};

void add_order_routes(platform::ServiceHost& host, std::shared_ptr<const CancelSaga> saga);
void add_review_routes(platform::ServiceHost& host);
platform::Subscriptions subscriptions();

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host);

}  // namespace order
