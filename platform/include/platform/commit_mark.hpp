#pragma once
// What a transaction tells the listeners of its own commit (Db::on_commit). A listener runs on
// the committing thread, where the transaction ran, so a mark the transaction left on its
// thread says whether that very commit brought the listener work: the relay wakes for commits
// that appended events, the KakaoTalk sender for those that queued a message. No count shared
// by the process could say it: another transaction's commit would take the news of this one's.
#include <utility>

namespace platform {

// One mark per kind of work, named by a tag: CommitMark<struct OutboxAppended>.
template <class Kind>
class CommitMark {
 public:
  // In the transaction, before the write: outside a transaction the write commits, and calls
  // the listeners, at once.
  static void set() { marked_ = true; }
  // In the commit listener: whether this thread set the mark since it last asked. A rolled-back
  // transaction's mark is taken by the thread's next commit: one wake-up for nothing.
  static bool take() { return std::exchange(marked_, false); }

 private:
  static inline thread_local bool marked_ = false;
};

}  // namespace platform
