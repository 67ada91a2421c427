#pragma once
// The two implementations of Db, chosen by open_database from the URL's scheme.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "platform/db.hpp"

namespace platform {

std::unique_ptr<Db> open_sqlite(const std::string& path);
// The name of the SQLite VFS that writes each transaction's WAL frames in one write
// (sqlite_wal_vfs.cpp), registered at the first call; null if it could not be.
const char* wal_frames_together_vfs();
// url: postgresql://user:password@host:port/database[?pool=N&<libpq parameters>]
std::unique_ptr<Db> open_postgres(const std::string& url);

// Who hears a backend's commits (Db::on_commit). Added at start, read after every commit: the
// list is replaced, never changed, so that a commit copies nothing.
class CommitListeners {
 public:
  void add(std::function<void()> listener) {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<std::vector<std::function<void()>>>(*listeners_);
    next->push_back(std::move(listener));
    listeners_ = std::move(next);
  }

  void notify() const {
    std::shared_ptr<const std::vector<std::function<void()>>> listeners;
    {
      std::lock_guard lock(mutex_);
      listeners = listeners_;
    }
    for (const auto& listener : *listeners) listener();
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<std::function<void()>>> listeners_ =
      std::make_shared<const std::vector<std::function<void()>>>();
};

}  // namespace platform
