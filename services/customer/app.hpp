#pragma once
// The customer service's adapters: storage (storage.cpp), HTTP handlers (http.cpp), the
// reactions that project events into the status view and queue its KakaoTalk messages
// (reactions.cpp), the messages' delivery (notifications.cpp, kakao_talk.cpp) and the
// view's rebuild (rebuild.cpp), wired by install (app.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/notification.hpp"
#include "domain/order_status.hpp"
#include "platform/commit_mark.hpp"
#include "platform/paging.hpp"
#include "platform/service_host.hpp"
#include "platform/table.hpp"
#include "platform/unit_of_work.hpp"

namespace customer {

inline constexpr const char* kServiceName = "customer";  // also the durable consumer's name

// The schema migrations in schema/, embedded at build time.
const std::vector<platform::Migration>& schema();

// The status view's tables: written only by the projection of events, so they can be
// emptied and refilled from the stream at any time.
namespace status_view {

enum class Shape { Current, Outdated };

// After the migrations: Outdated when events were projected into the view before a
// migration changed its tables (see schema/001_init.sql); the view must then be rebuilt
// from the stream (rebuild.hpp) before it is used.
Shape check(platform::Db& db);

std::optional<OrderStatus> load(platform::Db& db, std::int64_t order_id);
// The customer's orders, newest first.
// One page of the customer's views, with their timelines.
platform::paging::Slice<OrderStatus> of_customer(platform::Db& db, const std::string& customer,
                                                 const platform::paging::PageRequest& page);
// Stores the view after apply() changed it: its row, and its newest step unless the change
// added none (the rider moved).
void save(platform::Db& tx, const OrderStatus& view, Effect effect);

// Empties the view and forgets which events were projected (the inbox), so that the stream
// delivered again fills it. The notifications are not touched.
void wipe(platform::Db& tx);

}  // namespace status_view

// KakaoTalk notifications (R10) as an outbox: queued in the same transaction as the status
// change they announce, at most one per (order, status) however often an event is
// delivered or the view replayed; NotificationSender (notifications.hpp) delivers them.
const platform::Table<Notification>& notifications();
// Queues the message announcing the view's current status, unless it was queued before.
void queue_notification(platform::Db& tx, const OrderStatus& view);
// Set by queue_notification: the sender wakes for the commits that queued a message, not for
// every commit (a rider's position, every 3 s of each delivery, queues none).
using MessageQueued = platform::CommitMark<struct MessageQueuedKind>;

void add_routes(platform::ServiceHost& host);
// GET /events/stream (live_events.cpp).
void add_event_stream(platform::ServiceHost& host);
platform::Subscriptions subscriptions();

platform::Subscriptions install(platform::ServiceHost& host);

}  // namespace customer
