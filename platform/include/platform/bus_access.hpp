#pragma once
// Who may do what on the bus. Every connection to NATS logs in as an identity with its own
// password: each service as itself, the tools as `viewer` (reads the stream) or `admin`
// (everything: operators, and tests that forge events); nats-server refuses anonymous
// connections. What a service may publish follows from the event contracts (the events it
// produces, contracts/include/contracts/events.hpp); the rest is what the bus itself uses
// (the JetStream API calls of libnats, its inbox, its consumer's deliver subject), named
// here so that nats-server's permissions and the bus cannot disagree.
// `fooddelivery bus-permissions` prints them as nats-server configuration, which
// scripts/platform and deploy/k8s/render write out.
#include <string>
#include <string_view>
#include <vector>

namespace platform {

// Replies to an identity's requests come to <prefix>.<random>, where only it may subscribe:
// "_INBOX_order". Throws std::invalid_argument for a name that is not one subject token of
// letters, digits, '-' and '_'.
std::string inbox_prefix(std::string_view identity);

// Where a service's durable consumer delivers, and its replicas subscribe as one queue
// group: "_DELIVER.fooddelivery.order".
std::string deliver_subject(std::string_view stream, std::string_view durable);

// The subject an event of `type` is published on: the type, then one token per service of
// contracts::kServices in that order, the service's name where it reacts to the type (the
// contracts' consumers) and "_" where it does not:
// "fooddelivery.OrderPlaced._._.payment.store.customer._". A service's consumer filters on its
// own token (audience_filter): NATS 2.9 filters a consumer on one subject only, and this one
// subject gives a service the events it reacts to and no other, still in the stream's order.
// A type the contracts do not name goes to no service.
std::string event_subject(std::string_view subject_prefix, std::string_view type);

// What the consumer of `service` filters on: "fooddelivery.*.*.*.*.store.*.*"; "" for a name
// that is not one of contracts::kServices.
std::string audience_filter(std::string_view subject_prefix, std::string_view service);

// The type an event subject names (the token after the prefix): "" for a subject outside it.
std::string_view subject_type(std::string_view subject_prefix, std::string_view subject);

struct BusIdentity {
  std::string name;
  std::string role;  // what it is for, one line
  bool unrestricted = false;  // admin: every subject
  std::vector<std::string> publish;
  std::vector<std::string> publish_denied;  // exceptions to `publish`
  std::vector<std::string> subscribe;
};

// Every service the contracts name (as its own durable consumer), viewer and admin.
std::vector<BusIdentity> bus_identities(std::string_view stream = "fooddelivery",
                                        std::string_view subject_prefix = "fooddelivery.");

// nats-server's `authorization { users = [...] }` for them. Each password is the variable
// $NATS_PASSWORD_<NAME> (NAME in capitals), which nats-server looks up in the configuration
// file before it, else in its environment.
std::string nats_authorization(const std::vector<BusIdentity>& identities);

}  // namespace platform
