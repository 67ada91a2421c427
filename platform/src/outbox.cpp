// The outbox, inbox and dead-letter tables, and appending events inside the caller's transaction.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "platform/clock.hpp"
#include "platform/json_text.hpp"
#include "platform/messaging.hpp"
#include "platform/migrations.hpp"
#include "platform/trace.hpp"
#include "relay.hpp"

namespace platform {

namespace {

constexpr std::size_t kMaxBody = 1'000'000;  // nats-server's max_payload is 1 MiB by default

void validate_event_type(const std::string& type) {
  if (type.empty()) throw std::invalid_argument("event type is empty");
  for (char c : type)
    if (c == '.' || c == '*' || c == '>' || c <= ' ' || c == 0x7f)
      throw std::invalid_argument("event type '" + type + "' is not a valid NATS subject token");
}

bool outbox_has_traceparent(Db& db) {
  try {
    db.query("SELECT traceparent FROM fd_outbox WHERE 1 = 0");
    return true;
  } catch (const DatabaseUnavailable&) {
    throw;
  } catch (const std::exception&) {
    return false;
  }
}

// An outbox made before events carried their trace gets the column. SQLite has no ADD COLUMN
// IF NOT EXISTS, so the column is looked for first (outside a transaction, where PostgreSQL's
// failed statement spoils nothing); a replica that added it meanwhile makes the ALTER fail, and
// a second look tells that from a real failure.
void add_outbox_traceparent(Db& db) {
  if (outbox_has_traceparent(db)) return;
  try {
    create_tables(db, "ALTER TABLE fd_outbox ADD COLUMN traceparent TEXT;");
  } catch (const std::exception& error) {
    if (!outbox_has_traceparent(db))
      throw std::runtime_error(std::string("cannot add the column traceparent to fd_outbox: ") + error.what());
  }
}

}  // namespace

void migrate_messaging(Db& db) {
  create_tables(db,
                "CREATE TABLE IF NOT EXISTS fd_outbox ("
                " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                " id TEXT NOT NULL UNIQUE,"
                " type TEXT NOT NULL,"
                " order_id TEXT,"
                " body TEXT NOT NULL,"
                " created_at INTEGER NOT NULL,"
                // The trace of the request or reaction that wrote it (trace.hpp), its traceparent header.
                " traceparent TEXT);"
                "CREATE TABLE IF NOT EXISTS fd_inbox ("
                " id TEXT PRIMARY KEY,"
                " type TEXT,"
                " processed_at INTEGER NOT NULL);"
                // Events the consumer gave up on (consumer.cpp), until replayed.
                "CREATE TABLE IF NOT EXISTS fd_dead_letters ("
                " id TEXT PRIMARY KEY,"
                " type TEXT NOT NULL,"
                " body TEXT NOT NULL,"
                " headers TEXT NOT NULL,"
                " error TEXT NOT NULL,"
                " attempts INTEGER NOT NULL,"
                " failed_at INTEGER NOT NULL);");
  add_outbox_traceparent(db);
}

void append_events(Db& tx, const std::vector<Event>& events) {
  const std::int64_t now = now_ms();
  const auto* trace = trace::current();
  const Value traceparent = trace ? Value{trace->traceparent()} : Value{nullptr};
  for (const auto& event : events) {
    validate_event_type(event.type);
    // eventType and timestamp first, as the seeds' AbstractEvent serialises them.
    boost::json::object body;
    body.reserve(event.body.size() + 2);
    body.emplace("eventType", event.type);
    const auto* at = event.body.if_contains("timestamp");
    body.emplace("timestamp", at && at->is_int64() ? at->get_int64() : now);
    for (const auto& field : event.body)
      if (field.key() != "eventType" && field.key() != "timestamp") body.emplace(field.key(), field.value());
    std::string text = to_json(body);
    if (text.size() > kMaxBody)
      throw std::length_error("event " + event.type + " is " + std::to_string(text.size()) +
                              " bytes; NATS accepts at most " + std::to_string(kMaxBody));
    std::string order_id = event.order_id();
    OutboxAppended::set();
    tx.exec("INSERT INTO fd_outbox(id, type, order_id, body, created_at, traceparent) VALUES(?, ?, ?, ?, ?, ?)",
            {new_id(), event.type, order_id.empty() ? Value{nullptr} : Value{std::move(order_id)},
             std::move(text), now, traceparent});
  }
}

}  // namespace platform
