// StreamBeneath syscalls, in order: open(root, O_PATH|O_DIRECTORY) for each root · for each
// file: openat2(rootfd, rel, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_NOATIME (again without
// O_NOATIME if that is refused, see OpenLeavingAtime), RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
// RESOLVE_NO_MAGICLINKS) · fstat · pread until its range is read · fstat
// (nothing moved meanwhile) · close · write(out_fd) of each full buffer. Nothing is changed
// but out_fd's file.
//
// Two threads when the stream is big enough: this one reads and writes 256 KiB buffers, a
// hasher thread hashes each written buffer, so the copy and the sha256 overlap on two cores.
// The bytes hashed are the bytes written (one read), so a file changed while read cannot
// make the hash and the file disagree.
#include "sys/stream_beneath.h"

#include "sys/beneath.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <sys/stat.h>
#include <thread>
#include <utility>

namespace ovl::sys {

namespace {

// 256 KiB: read, written and hashed while still in cache (measured: 1 MiB buffers cost ~15%
// more CPU in the hash for the same bytes); 8 of them keep both threads busy.
constexpr size_t kBufSize = 256 << 10;
constexpr size_t kBuffers = 8;
// A StreamHash's: 4 MiB the copy may run ahead of the hash, about one of an export's big
// files, so the hash is still busy through the small files after it (measured on the
// 20,000-file export with a hash thread per call and 8 buffers: the hash thread waited ~100 ms
// for bytes, the copy ~170 ms for the hash, and ~60 ms for the hash to drain at each call's
// end; 32 buffers cost more in the hash, their bytes out of cache, than they saved).
constexpr size_t kSessionBuffers = 16;

// Buffers kept between calls: an export makes ~100 calls of a few MiB each, and fresh 256 KiB
// buffers are fresh mmaps, zeroed and faulted in page by page every call (measured: ~6% of
// an export's CPU went to those faults and the munmaps). Uninitialised: every byte used is written first.
class BufferPool {
 public:
  static std::unique_ptr<char[]> Get() {
    Pool& p = Instance();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.free.empty()) return std::unique_ptr<char[]>(new char[kBufSize]);
    std::unique_ptr<char[]> b = std::move(p.free.back());
    p.free.pop_back();
    return b;
  }
  static void Put(std::unique_ptr<char[]> b) {
    Pool& p = Instance();
    std::lock_guard<std::mutex> lock(p.mutex);
    // As many as a StreamHash and a call at once use: a bound on what stays allocated (6 MiB).
    if (b && p.free.size() < kSessionBuffers + kBuffers) p.free.push_back(std::move(b));
  }

 private:
  struct Pool {
    std::mutex mutex;
    std::vector<std::unique_ptr<char[]>> free;
  };
  // Never destroyed: a call still running on a pool thread while the process exits must not
  // find it gone (static destructors run then).
  static Pool& Instance() {
    static Pool* pool = new Pool;
    return *pool;
  }
};

// SHA256_Update over a buffer another core just filled, a page at a time, asking for the
// page after next meanwhile: the hardware prefetcher stops at each page boundary, and the
// lines sit in the other core's cache. Measured on the 20,000-file export (534 MB), same
// runs: 477 ms median without, 428 with (tar 391). In a C test, hashing 256 KiB buffers that
// another core had read cost 331-433 ms for 534 MB, 313 in the core that read them.
void HashPrefetched(SHA256_CTX* ctx, const char* p, size_t n) {
  constexpr size_t kStep = 4096;
  constexpr size_t kAhead = 2 * kStep;
  for (size_t at = 0; at < n; at += kStep) {
    for (size_t q = at + kAhead; q < at + kAhead + kStep && q < n; q += 64) __builtin_prefetch(p + q);
    SHA256_Update(ctx, p + at, n - at < kStep ? n - at : kStep);
  }
}

// Hands full buffers to a hasher thread in order and gives them back once hashed; with
// `threaded` false it hashes in place (a small stream is not worth a thread).
class Hasher {
 public:
  Hasher(SHA256_CTX* ctx, bool threaded, size_t buffers = kBuffers) : ctx_(ctx) {
    for (size_t i = 0; i < (threaded ? buffers : 1); ++i) free_.push_back(BufferPool::Get());
    if (!threaded) return;
    try {
      thread_ = std::thread([this] { Work(); });
    } catch (const std::system_error&) {
      // No thread to be had (a process at its limit): hash in place; only slower.
    }
  }
  ~Hasher() {
    Finish();
    for (auto& b : free_) BufferPool::Put(std::move(b));
  }
  // A buffer taken with Acquire and not submitted (the sink's last one): back to the pool.
  void Release(std::unique_ptr<char[]> b) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(b));
  }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  // A buffer to fill (waits for one the hasher is done with).
  std::unique_ptr<char[]> Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return !free_.empty(); });
    std::unique_ptr<char[]> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  // `n` bytes of `b` to hash after every buffer submitted before.
  void Submit(std::unique_ptr<char[]> b, size_t n) {
    if (!thread_.joinable()) {
      SHA256_Update(ctx_, b.get(), n);
      free_.push_back(std::move(b));
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    todo_.emplace_back(std::move(b), n);
    cv_.notify_all();
  }

  // Waits until everything submitted is hashed, and ends the thread.
  void Finish() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return !todo_.empty() || done_; });
      if (todo_.empty()) return;
      auto [b, n] = std::move(todo_.front());
      todo_.pop_front();
      lock.unlock();
      HashPrefetched(ctx_, b.get(), n);
      lock.lock();
      free_.push_back(std::move(b));
      cv_.notify_all();
    }
  }

  SHA256_CTX* ctx_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<char[]>> free_;
  std::deque<std::pair<std::unique_ptr<char[]>, size_t>> todo_;
  bool done_ = false;
  std::thread thread_;
};

// The stream being produced: bytes go into the current buffer, a full one is written out
// (or collected) and handed to the hasher.
class Sink {
 public:
  Sink(int out_fd, Hasher* hasher, StreamResult* result) : out_fd_(out_fd), hasher_(hasher), result_(result), buf_(hasher->Acquire()) {}
  ~Sink() { hasher_->Release(std::move(buf_)); }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  char* space() { return buf_.get() + fill_; }
  size_t room() const { return kBufSize - fill_; }

  // `n` bytes were put at space(); flushes when the buffer is full. 0 or -errno of write.
  int Filled(size_t n) {
    fill_ += n;
    return fill_ == kBufSize ? Flush() : 0;
  }

  int Append(const char* p, size_t n) {
    while (n > 0) {
      size_t k = n < room() ? n : room();
      std::memcpy(space(), p, k);
      p += k;
      n -= k;
      if (int r = Filled(k); r < 0) return r;
    }
    return 0;
  }

  int Flush() {
    if (fill_ == 0) return 0;
    if (out_fd_ < 0) {
      result_->collected.append(buf_.get(), fill_);
    } else {
      for (size_t done = 0; done < fill_;) {
        ssize_t w = ::write(out_fd_, buf_.get() + done, fill_ - done);
        if (w < 0) {
          if (errno == EINTR) continue;
          return -errno;
        }
        done += static_cast<size_t>(w);
      }
    }
    result_->written += fill_;
    hasher_->Submit(std::move(buf_), fill_);
    fill_ = 0;
    buf_ = hasher_->Acquire();
    return 0;
  }

 private:
  int out_fd_;
  Hasher* hasher_;
  StreamResult* result_;
  std::unique_ptr<char[]> buf_;
  size_t fill_ = 0;
};

bool SameTime(const struct timespec& a, const struct timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

// Copies the range of `f` into the sink. 0, -errno of a write, or 1 when the file stopped the stream.
int CopyFile(int rootfd, const StreamFile& f, Sink* sink, StreamStop* stop) {
  Fd fd(OpenBeneath(rootfd, f.rel.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  struct stat before;
  if (fd.get() < 0 || ::fstat(fd.get(), &before) < 0) {
    stop->err = fd.get() < 0 ? -fd.get() : errno;
    return 1;
  }
  stop->mode = before.st_mode;
  stop->ino = before.st_ino;
  stop->size = static_cast<uint64_t>(before.st_size);
  if (!S_ISREG(before.st_mode) || (f.ino != 0 && before.st_ino != f.ino) || stop->size != f.size) return 1;
  for (uint64_t done = 0; done < f.length;) {
    uint64_t want = f.length - done;
    size_t n = want < sink->room() ? static_cast<size_t>(want) : sink->room();
    ssize_t got = ::pread(fd.get(), sink->space(), n, static_cast<off_t>(f.offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      stop->err = errno;
      return 1;
    }
    if (got == 0) {
      stop->changed = true;  // fewer bytes than its size said
      return 1;
    }
    done += static_cast<uint64_t>(got);
    if (int r = sink->Filled(static_cast<size_t>(got)); r < 0) return r;
  }
  struct stat after;
  if (::fstat(fd.get(), &after) < 0) {
    stop->err = errno;
    return 1;
  }
  stop->size = static_cast<uint64_t>(after.st_size);
  if (after.st_size != before.st_size || !SameTime(after.st_ctim, before.st_ctim)) {
    stop->changed = true;
    return 1;
  }
  return 0;
}

// The stream itself, its buffers hashed by `hasher`.
int StreamThrough(int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                  const std::vector<StreamFile>& files, Hasher* hasher, StreamResult* result, int* failed_root) {
  *failed_root = -1;
  std::vector<std::unique_ptr<Fd>> rootfds;
  for (size_t i = 0; i < roots.size(); ++i) {
    rootfds.push_back(std::make_unique<Fd>(::open(roots[i].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)));
    if (rootfds.back()->get() < 0) {
      *failed_root = static_cast<int>(i);
      return -errno;
    }
  }
  Sink sink(out_fd, hasher, result);
  uint64_t at = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const StreamFile& f = files[i];
    if (int r = sink.Append(bytes.data() + at, f.at - at); r < 0) return r;
    at = f.at;
    int r = CopyFile(rootfds[f.root]->get(), f, &sink, &result->stop);
    if (r < 0) return r;
    if (r > 0) {
      result->stop.stopped = true;
      result->stop.index = i;
      return 0;
    }
    result->stop = StreamStop();
  }
  if (int r = sink.Append(bytes.data() + at, bytes.size() - at); r < 0) return r;
  return sink.Flush();
}

}  // namespace

int StreamBeneath(int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                  const std::vector<StreamFile>& files, SHA256_CTX* hash, StreamResult* result, int* failed_root) {
  uint64_t total = bytes.size();
  for (const StreamFile& f : files) total += f.length;
  Hasher hasher(hash, total > 2 * kBufSize);
  return StreamThrough(out_fd, roots, bytes, files, &hasher, result, failed_root);
}

// The hasher thread and its buffers outlive each call: a call returns once its bytes are
// written, while the last of them are still being hashed, and the next call's copy overlaps
// that; the copy may run further ahead of the hash (big files) to be caught up with later
// (small files, where opening and checking each file is the slower side).
struct StreamHash::State {
  SHA256_CTX ctx;
  // Made by the first call after a digest (or the first call): between an export's calls the
  // thread waits for bytes; once the digest is taken it is ended and its buffers go back to
  // the pool, so a finished StreamHash that JS has not collected yet holds no thread.
  std::unique_ptr<Hasher> hasher;
  bool failed = false;  // a call stopped or failed: later ones write nothing

  // The order of calls: Turn n runs when serving == n; turns given up before their time are
  // skipped when it comes.
  std::mutex order;
  std::condition_variable turn;
  uint64_t taken = 0;
  uint64_t serving = 0;
  std::set<uint64_t> given_up;
  State() { SHA256_Init(&ctx); }
  // Under `order`, serving just moved: past the turns given up, and whoever waits is told.
  void PassOn() {
    while (given_up.erase(serving) > 0) ++serving;
    turn.notify_all();
  }
};

StreamHash::StreamHash() : state_(new State) {}
StreamHash::~StreamHash() = default;

StreamHash::Turn StreamHash::Take() {
  std::lock_guard<std::mutex> lock(state_->order);
  Turn t;
  t.hash_ = this;
  t.n_ = state_->taken++;
  return t;
}

StreamHash::Turn& StreamHash::Turn::operator=(Turn&& o) noexcept {
  if (this != &o) {
    GiveUp();
    hash_ = o.hash_;
    n_ = o.n_;
    o.hash_ = nullptr;
  }
  return *this;
}

StreamHash::Turn::~Turn() { GiveUp(); }

void StreamHash::Turn::GiveUp() {
  if (hash_ == nullptr) return;
  State& st = *hash_->state_;
  std::lock_guard<std::mutex> lock(st.order);
  st.given_up.insert(n_);
  if (st.serving == n_) st.PassOn();  // its time is now
  hash_ = nullptr;
}

uint64_t StreamHash::Enter(Turn turn) {
  const uint64_t n = turn.n_;
  turn.hash_ = nullptr;  // used, not given up
  std::unique_lock<std::mutex> lock(state_->order);
  state_->turn.wait(lock, [&] { return state_->serving == n; });
  return n;
}

void StreamHash::Leave(uint64_t n) {
  std::lock_guard<std::mutex> lock(state_->order);
  state_->serving = n + 1;
  state_->PassOn();
}

int StreamHash::Stream(Turn turn, int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                       const std::vector<StreamFile>& files, StreamResult* result, int* failed_root) {
  const uint64_t n = Enter(std::move(turn));
  int r = -ECANCELED;
  *failed_root = -1;
  if (!state_->failed) {
    if (!state_->hasher) state_->hasher = std::make_unique<Hasher>(&state_->ctx, true, kSessionBuffers);
    r = StreamThrough(out_fd, roots, bytes, files, state_->hasher.get(), result, failed_root);
    state_->failed = r < 0 || result->stop.stopped;
  }
  Leave(n);
  return r;
}

void StreamHash::Snapshot(Turn turn, SHA256_CTX* out) {
  const uint64_t n = Enter(std::move(turn));
  state_->hasher.reset();  // hashes what is left, ends the thread
  *out = state_->ctx;
  Leave(n);
}

}  // namespace ovl::sys
