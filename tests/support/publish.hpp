#pragma once
// Publishes an event straight into JetStream as a service's outbox relay would, for a test
// that needs an event whose producer it does not drive.
#include <boost/json/object.hpp>
#include <chrono>
#include <string>

namespace fd::test {

// Subject fooddelivery.<type>, headers `type` and a fresh `Nats-Msg-Id`, eventType and
// timestamp added to the body; returns once JetStream has stored it, with the message id.
// With `id` given, the message id is that one: a copy of an event published before, which
// JetStream keeps as a second message once its de-duplication window has passed.
std::string publish_event(const std::string& nats_url, const std::string& type, boost::json::object body,
                          const std::string& id = {});

// Creates the stream fooddelivery (fooddelivery.>) before any service does, with a short
// de-duplication window, so that a test can deliver an event twice under one id.
void create_stream(const std::string& nats_url, std::chrono::milliseconds duplicate_window);

}  // namespace fd::test
