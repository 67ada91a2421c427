#pragma once
// Whose each recent order is, as its OrderPlaced said: the live event stream shows a customer
// the events of their own orders, and must know an order's customer before the status view
// has recorded the order. Only the newest orders are kept, so that a service running for
// months does not keep every order it ever saw; the status view answers for the others.
// No I/O here.
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace customer {

class RecentOrderOwners {
 public:
  explicit RecentOrderOwners(std::size_t capacity);

  // Forgets the order noted longest ago when there are more than `capacity`.
  void note(const std::string& order_id, const std::string& customer);
  std::optional<std::string> of(const std::string& order_id) const;
  std::size_t size() const { return owners_.size(); }

 private:
  std::size_t capacity_;
  std::unordered_map<std::string, std::string> owners_;
  std::deque<std::string> noted_;  // the orders in owners_, oldest first
};

}  // namespace customer
