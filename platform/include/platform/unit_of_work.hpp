#pragma once
// The one unit of work: load an aggregate, apply one transition of its domain, save it and
// append the events the transition caused to the outbox, all in one transaction. Used by
// every HTTP command and every event reaction, with one policy for what can go wrong:
//
//                        HTTP command              event reaction
//   aggregate missing    404 "no <noun> <key>"     too early: redelivered later
//   TooEarly             (not thrown by commands)  redelivered later
//   Problem (409 ...)    the problem, to the caller  a stale or repeated step: logged, dropped
//   body not the contract  —                       UnreadableEvent: logged, never redelivered
//
// Everything is rolled back when a step throws; a dropped event is still recorded in the
// inbox, so it is not handled twice.
#include <map>
#include <string>
#include <type_traits>
#include <utility>

#include "platform/db.hpp"
#include "platform/event.hpp"
#include "platform/log.hpp"
#include "platform/messaging.hpp"
#include "platform/problem.hpp"
#include "platform/table.hpp"

namespace platform {

// What a service subscribes to: event type → its reaction.
using Subscription = std::pair<std::string, Reaction>;
using Subscriptions = std::map<std::string, Reaction>;

// Within the caller's transaction: saves a new or changed aggregate with the events it caused.
template <class T>
void record(Db& tx, const Table<T>& table, const T& aggregate, const Events& events) {
  table.save(tx, aggregate);
  append_events(tx, events);
}

// Within the caller's transaction: events that change no aggregate row of this service (a
// logout revokes a token that lives only in the events).
inline void record(Db& tx, const Events& events) { append_events(tx, events); }

// Within the caller's transaction. transition(T&) returns the Events it caused. A step that
// also applies to an aggregate not known here yet passes `absent`, which makes the one a
// missing key stands for (an order canceled before it arrived); without it, missing is 404.
template <class T, class Transition, class Absent>
T apply_in(Db& tx, const Table<T>& table, const Value& key, Transition&& transition, Absent&& absent) {
  auto aggregate = table.find(tx, key);
  if (!aggregate) aggregate = absent();
  Events events = transition(*aggregate);
  record(tx, table, *aggregate, events);
  return std::move(*aggregate);
}

template <class T, class Transition>
T apply_in(Db& tx, const Table<T>& table, const Value& key, Transition&& transition) {
  return apply_in(tx, table, key, transition, [&]() -> T { throw table.missing(key); });
}

// An HTTP command on one aggregate, in its own transaction; returns the aggregate as saved.
// transition may check the caller's right to it and throw table.missing(key), like a
// missing one. `absent` as for apply_in.
template <class T, class... Steps>
T apply(Db& db, const Table<T>& table, const Value& key, Steps&&... steps) {
  std::optional<T> result;
  db.transaction([&](Db& tx) { result = apply_in(tx, table, key, steps...); });
  return std::move(*result);
}

// A new aggregate: make(tx) returns it with the events it caused (it may read in tx, e.g.
// the next id); saved and appended in one transaction.
template <class T, class Make>
T create(Db& db, const Table<T>& table, Make&& make) {
  std::optional<T> result;
  db.transaction([&](Db& tx) {
    auto [aggregate, events] = make(tx);
    record(tx, table, aggregate, events);
    result = std::move(aggregate);
  });
  return std::move(*result);
}

// The reaction to one contract event E, run in the inbox's transaction. handler is
// void(Db& tx, const E&) or void(Db& tx, const E&, const ReceivedEvent&).
template <class E, class Handler>
Subscription on(Handler handler) {
  return {std::string(E::type), [handler = std::move(handler)](Db& tx, const ReceivedEvent& received) {
            auto event = contracts::from_body<E>(received.body);
            if constexpr (std::is_invocable_v<Handler&, Db&, const E&, const ReceivedEvent&>)
              handler(tx, event, received);
            else
              handler(tx, event);
          }};
}

// The reaction that moves the aggregate keyed by the event's orderId: transition(T&, const E&)
// returns the Events it caused. See the policy above.
template <class E, class T, class Transition>
Subscription on(const Table<T>& table, Transition transition) {
  return on<E>([&table, transition = std::move(transition)](Db& tx, const E& event) {
    auto aggregate = table.find(tx, event.orderId);
    if (!aggregate)
      throw TooEarly(std::string(E::type) + " for " + table.noun() + " " + std::to_string(event.orderId) +
                     ", not known here yet");
    try {
      Events events = transition(*aggregate, event);
      record(tx, table, *aggregate, events);
    } catch (const Problem& refused) {
      log::warn("event ignored", {{"orderId", std::to_string(event.orderId)},
                                  {"eventType", std::string(E::type)},
                                  {"reason", refused.detail}});
    }
  });
}

}  // namespace platform
