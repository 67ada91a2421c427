#include "domain/order_owners.hpp"

#include <algorithm>

namespace customer {

RecentOrderOwners::RecentOrderOwners(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void RecentOrderOwners::note(const std::string& order_id, const std::string& customer) {
  auto [known, added] = owners_.insert_or_assign(order_id, customer);
  (void)known;
  if (!added) return;
  noted_.push_back(order_id);
  if (noted_.size() > capacity_) {
    owners_.erase(noted_.front());
    noted_.pop_front();
  }
}

std::optional<std::string> RecentOrderOwners::of(const std::string& order_id) const {
  if (auto known = owners_.find(order_id); known != owners_.end()) return known->second;
  return std::nullopt;
}

}  // namespace customer
