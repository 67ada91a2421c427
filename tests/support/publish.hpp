#pragma once
// Publishes an event straight into JetStream as a service's outbox relay would, for a test
// that needs an event whose producer it does not drive.
#include <boost/json/object.hpp>
#include <string>

namespace fd::test {

// Subject fooddelivery.<type>, headers `type` and a fresh `Nats-Msg-Id`, eventType and
// timestamp added to the body; returns once JetStream has stored it, with the message id.
std::string publish_event(const std::string& nats_url, const std::string& type, boost::json::object body);

}  // namespace fd::test
