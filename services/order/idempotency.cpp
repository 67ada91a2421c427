// POST /orders with an Idempotency-Key: the key's row in idempotency_keys, claimed in the
// same transaction that places the order.
//
// Why one transaction and not two (a committed 'processing' claim, then the order): placing
// an order calls nothing outside this database, so the whole request is one short
// transaction, and the claim can simply be its first statement. A second request with the
// same key then waits on the claim's unique key until the first commits (SQLite: the one
// writer; PostgreSQL: INSERT ... ON CONFLICT waits for the transaction holding the
// conflicting row) and replays its answer; if the first rolls back (a 400, a crash, a
// killed replica), its claim goes with it and the second places the order itself. Exactly
// once either way, with no 'processing' state that a crash between two steps could leave
// behind to expire, and so no 409 for the client to retry: it gets the answer instead.
// (On PostgreSQL at REPEATABLE READ or SERIALIZABLE the waiting INSERT ends in a
// serialization failure instead; the transaction is retried and then replays.)
#include <stdexcept>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/crypto.hpp"

namespace order {

namespace {

KeyUse read_key_use(const platform::Row& row) {
  return KeyUse{row.text("idempotency_key"), row.text("request_hash"), row.integer("order_id"), row.text("answer")};
}

}  // namespace

KeyedAnswer place_once(platform::Db& db, const std::string& customer, const std::string& key, const PlaceOrder& command,
                       const std::function<KeyedAnswer(platform::Db&)>& place) {
  auto request_hash = platform::sha256_hex(canonical_text(command));
  std::optional<KeyedAnswer> answer;
  db.transaction([&](platform::Db& tx) {
    auto claimed = tx.exec(
        "INSERT INTO idempotency_keys (customer, idempotency_key, request_hash, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (customer, idempotency_key) DO NOTHING",
        {customer, key, request_hash, platform::now_ms()});
    if (claimed == 0) {
      auto row = tx.query_one(
          "SELECT idempotency_key, request_hash, order_id, answer FROM idempotency_keys "
          "WHERE customer = ? AND idempotency_key = ?",
          {customer, key});
      if (!row) throw std::logic_error("idempotency key " + key + " of " + customer + " conflicts but is not there");
      auto first = repeat(read_key_use(*row), request_hash);
      answer = KeyedAnswer{first.order_id, std::move(first.answer), true};
      return;
    }
    answer = place(tx);
    tx.exec("UPDATE idempotency_keys SET order_id = ?, answer = ? WHERE customer = ? AND idempotency_key = ?",
            {answer->order_id, answer->body, customer, key});
  });
  return std::move(*answer);
}

void forget_idempotency_keys(platform::Db& db, std::int64_t older_than_ms) {
  db.exec("DELETE FROM idempotency_keys WHERE created_at < ?", {older_than_ms});
}

}  // namespace order
