// StreamBeneath syscalls: open(root, O_PATH|O_DIRECTORY) for each root · for each file:
// openat2(rootfd, rel, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY, RESOLVE_BENEATH|
// RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS) · fstat · pread until its range is read · fstat
// (nothing moved meanwhile) · close · write(out_fd) of each full buffer, in stream order.
// Nothing is changed but out_fd's file.
//
// Two threads when the stream is big enough (class Pump): the calling one opens and checks
// files ahead and writes 256 KiB buffers out, a reader thread reads the files into those
// buffers and hashes each as it fills it, so the work splits across two cores. The bytes
// hashed are the bytes written (one read), so a file changed while read cannot make the hash
// and the file disagree.
#include "sys/stream_beneath.h"

#include "sys/beneath.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <system_error>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <utility>

namespace ovl::sys {

namespace {

// 256 KiB: read, hashed and written while still in cache (measured: 1 MiB buffers cost ~15%
// more CPU in the hash for the same bytes); 8 of them keep both threads busy.
constexpr size_t kBufSize = 256 << 10;
constexpr size_t kBuffers = 8;
// A StreamHash's: 4 MiB the reader may run ahead of the writes.
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

bool SameTime(const struct timespec& a, const struct timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

// One step of a stream, as the opener hands it to the reader, in stream order.
struct Piece {
  enum Kind : uint8_t { kBytes, kFile, kEnd, kStop } kind = kEnd;
  const char* p = nullptr;  // kBytes: n bytes of the caller's (alive until the call returns)
  size_t n = 0;
  int fd = -1;       // kFile: open and checked
  size_t index = 0;  // kFile, kStop: which of the call's files
  uint64_t offset = 0;
  uint64_t length = 0;
  struct stat before;  // kFile: what fstat saw when it was opened
  StreamStop stop;     // why the stream stopped at this file (kStop: the opener found it)
};

// A buffer the reader filled and hashed, for the opener to write, with the files whose last
// bytes are in it: they are checked (nothing moved while they were read) and closed first.
struct Filled {
  std::unique_ptr<char[]> buf;
  size_t n = 0;
  std::vector<Piece> files;
};

// The machinery of a stream. The calling thread (the "opener") opens and checks files ahead,
// writes the filled buffers out, and checks and closes each file once read; the reader fills
// buffers in stream order (our bytes copied, file ranges pread) and sha256es each as it fills
// it, where its bytes were just read, still in that core's cache. Measured on the 20,000-file
// export: hashing 256 KiB buffers that another core had read cost ~40% more CPU than hashing
// them in the core that read them (433 vs 311 ms for 534 MB), while write(2) of a buffer
// filled elsewhere costs no more. The bytes hashed are the bytes written: each buffer is
// hashed once full and written unchanged.
//
// The two meet under one mutex, in batches (the opener hands on up to kOpenBatch files at
// once, the reader takes all there is) and wake each other only when the other waits: with a
// wake-up per file the reader switched ~12,000 times an export.
//
// Threaded, the reader is a thread of its own that outlives calls (a StreamHash's);
// unthreaded (a small stream), the caller does all of it in turn.
class Pump {
 public:
  Pump(SHA256_CTX* ctx, bool threaded, size_t buffers) : ctx_(ctx) {
    for (size_t i = 0; i < (threaded ? buffers : 1); ++i) free_.push_back(BufferPool::Get());
    if (!threaded) return;
    try {
      thread_ = std::thread([this] { ReaderLoop(); });
    } catch (const std::system_error&) {
      // No thread to be had (a process at its limit): all on the caller; only slower.
    }
  }
  ~Pump() {
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        quit_ = true;
        reader_cv_.notify_all();
      }
      thread_.join();
    }
    if (cur_) free_.push_back(std::move(cur_));
    for (auto& b : free_) BufferPool::Put(std::move(b));
  }
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;

  // One call's stream: bytes with files spliced in, to out_fd (or result->collected). 0 or
  // -errno of a write; a file not as described ends it early with result->stop set.
  int Run(int out_fd, const std::vector<int>& rootfds, const std::string& bytes,
          const std::vector<StreamFile>& files, StreamResult* result) {
    out_fd_ = out_fd;
    result_ = result;
    write_err_ = 0;
    opener_stop_ = StreamStop();
    reader_stop_ = StreamStop();
    if (thread_.joinable()) RunThreaded(rootfds, bytes, files);
    else RunInline(rootfds, bytes, files);
    // The first file in the stream that stopped it, whichever side found it.
    const StreamStop* stop = &opener_stop_;
    if (!stop->stopped || (reader_stop_.stopped && reader_stop_.index < stop->index)) stop = &reader_stop_;
    if (stop->stopped) result->stop = *stop;
    return write_err_;
  }

 private:
  // Files opened and checked ahead of the reader and not closed yet (they close once the
  // buffer holding their last bytes is written): with 4 KiB files, 512 are ~9 buffers, so the
  // reader can run that far ahead through small files; at most an eighth of the fd limit.
  static size_t OpenAhead() {
    struct rlimit nofile;
    size_t limit = ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY ? nofile.rlim_cur / 8 : 512;
    return std::max<size_t>(16, std::min<size_t>(512, limit));
  }
  const size_t open_limit_ = OpenAhead();
  static constexpr size_t kOpenBatch = 32;
  // Buffers handed over before the other side is woken for them, unless it would wait anyway:
  // a wake-up per buffer cost the 20,000-file export ~9,000 context switches.
  static constexpr size_t kWake = 4;

  // The opener's half for file `i`: the file open and checked (a kFile piece), or why not (kStop).
  static Piece Open(int rootfd, const StreamFile& f, size_t i) {
    Piece p;
    p.index = i;
    p.offset = f.offset;
    p.length = f.length;
    int fd = OpenBeneath(rootfd, f.rel.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0 || ::fstat(fd, &p.before) < 0) {
      p.kind = Piece::kStop;
      p.stop.err = fd < 0 ? -fd : errno;
      if (fd >= 0) ::close(fd);
      return p;
    }
    p.stop.mode = p.before.st_mode;
    p.stop.ino = p.before.st_ino;
    p.stop.size = static_cast<uint64_t>(p.before.st_size);
    if (!S_ISREG(p.before.st_mode) || (f.ino != 0 && p.before.st_ino != f.ino) || p.stop.size != f.size) {
      p.kind = Piece::kStop;
      ::close(fd);
      return p;
    }
    p.kind = Piece::kFile;
    p.fd = fd;
    return p;
  }

  // Appends the pieces of the stream up to and including file `*i` (our bytes before it, then
  // it), or its end; moves *i and *at on. False once the stream's last piece is out.
  static bool Next(const std::vector<int>& rootfds, const std::string& bytes, const std::vector<StreamFile>& files,
                   size_t* i, uint64_t* at, std::vector<Piece>* out) {
    uint64_t to = *i < files.size() ? files[*i].at : bytes.size();
    if (to > *at) {
      Piece gap;
      gap.kind = Piece::kBytes;
      gap.p = bytes.data() + *at;
      gap.n = static_cast<size_t>(to - *at);
      out->push_back(gap);
      *at = to;
    }
    if (*i == files.size()) {
      out->push_back(Piece());  // kEnd
      return false;
    }
    out->push_back(Open(rootfds[files[*i].root], files[*i], *i));
    ++*i;
    return out->back().kind == Piece::kFile;
  }

  // --- the opener's side ---

  void RunInline(const std::vector<int>& rootfds, const std::string& bytes, const std::vector<StreamFile>& files) {
    cur_ = std::move(free_.back());
    free_.pop_back();
    size_t i = 0;
    uint64_t at = 0;
    std::vector<Piece> pieces;
    for (bool more = true; more;) {
      pieces.clear();
      more = Next(rootfds, bytes, files, &i, &at, &pieces);
      if (!Process(pieces)) break;
    }
    DropAll(&pieces);
    DropAll(&done_);
    free_.push_back(std::move(cur_));
    fill_ = 0;
  }

  void RunThreaded(const std::vector<int>& rootfds, const std::string& bytes, const std::vector<StreamFile>& files) {
    std::unique_lock<std::mutex> lock(mu_);
    call_done_ = false;
    discard_ = false;
    size_t i = 0;
    uint64_t at = 0;
    bool more = true;
    std::vector<Piece> batch;
    for (;;) {
      if (!full_.empty()) {  // write what the reader filled, in order
        Filled f = std::move(full_.front());
        full_.pop_front();
        lock.unlock();
        bool going = Deliver(&f);
        lock.lock();
        open_ahead_ -= f.files.size();
        free_.push_back(std::move(f.buf));
        if (!going) discard_ = true;  // the reader drops the rest
        if (reader_waiting_ && (free_.size() >= kWake || discard_)) reader_cv_.notify_one();
        continue;
      }
      if (call_done_) break;
      if (more && !discard_ && open_ahead_ < open_limit_) {
        size_t room = std::min(kOpenBatch, open_limit_ - open_ahead_);
        lock.unlock();
        batch.clear();
        size_t opened = 0;
        while (more && opened < room) {
          more = Next(rootfds, bytes, files, &i, &at, &batch);
          if (batch.back().kind == Piece::kFile) ++opened;
        }
        lock.lock();
        if (discard_) {  // the reader stopped the stream meanwhile: these are not needed
          for (Piece& p : batch) if (p.kind == Piece::kFile) ::close(p.fd);
          continue;
        }
        open_ahead_ += opened;
        for (Piece& p : batch) pieces_.push_back(std::move(p));
        if (reader_waiting_) reader_cv_.notify_one();
        continue;
      }
      if (reader_waiting_) reader_cv_.notify_one();  // whatever it waits for may be here (fewer than kWake)
      opener_waiting_ = true;
      opener_cv_.wait(lock);
      opener_waiting_ = false;
    }
  }

  // Checks and closes the files read into a filled buffer, then writes it. False when the
  // stream ends here (a file moved while read, or a write failed).
  bool Deliver(Filled* f) {
    bool going = write_err_ == 0 && !opener_stop_.stopped;
    for (Piece& p : f->files) {
      if (going && !StillAsOpened(&p)) {
        opener_stop_ = p.stop;
        opener_stop_.stopped = true;
        opener_stop_.index = p.index;
        going = false;
      }
      ::close(p.fd);
    }
    if (going && f->n > 0) {
      write_err_ = Write(f->buf.get(), f->n);
      going = write_err_ == 0;
    }
    return going;
  }

  // Whether nothing moved in the file while it was read: its size and ctime as when opened.
  static bool StillAsOpened(Piece* p) {
    struct stat after;
    if (::fstat(p->fd, &after) < 0) {
      p->stop.err = errno;
      return false;
    }
    p->stop.size = static_cast<uint64_t>(after.st_size);
    p->stop.changed = after.st_size != p->before.st_size || !SameTime(after.st_ctim, p->before.st_ctim);
    return !p->stop.changed;
  }

  // Writes (or collects) `n` bytes of `b`. 0 or -errno of write.
  int Write(const char* b, size_t n) {
    if (out_fd_ < 0) {
      result_->collected.append(b, n);
    } else {
      for (size_t done = 0; done < n;) {
        ssize_t w = ::write(out_fd_, b + done, n - done);
        if (w < 0) {
          if (errno == EINTR) continue;
          return -errno;
        }
        done += static_cast<size_t>(w);
      }
    }
    result_->written += n;
    return 0;
  }

  // --- the reader's side ---

  void ReaderLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    std::vector<Piece> batch;
    for (;;) {
      bool going = true;
      if (pieces_.empty() && !call_done_ && !discard_ && open_ahead_ >= open_limit_ && !done_.empty()) {
        // The opener waits for files to be closed before it opens more, and they are all read
        // into the buffer being filled (many small files): hand that on now, part full.
        lock.unlock();
        going = Emit();
        lock.lock();
      }
      if (going) {
        WakeOpenerToWrite();
        reader_waiting_ = true;
        reader_cv_.wait(lock, [this] { return !pieces_.empty() || quit_ || (discard_ && !call_done_); });
        reader_waiting_ = false;
        going = !(discard_ && !call_done_);
      }
      if (going) {
        if (pieces_.empty()) return;  // quit (pieces come only while the call goes on)
        batch.assign(std::make_move_iterator(pieces_.begin()), std::make_move_iterator(pieces_.end()));
        pieces_.clear();
        lock.unlock();
        if (!cur_) cur_ = TakeFree();
        going = Process(batch);
        lock.lock();
      }
      if (!going) {  // the call is over early: drop what is left of it, every fd closed
        open_ahead_ -= DropAll(&batch) + DropAll(&pieces_) + DropAll(&done_);
        if (cur_) free_.push_back(std::move(cur_));
        fill_ = 0;
        discard_ = true;
        call_done_ = true;
        if (opener_waiting_) opener_cv_.notify_one();
      } else if (batch.back().kind == Piece::kEnd) {
        call_done_ = true;  // the last buffer is queued: the opener writes it and returns
        if (opener_waiting_) opener_cv_.notify_one();
      }
      batch.clear();
    }
  }

  // Under the lock, before the reader waits: the opener, if it waits, writes what is filled
  // (fewer than kWake buffers did not wake it).
  void WakeOpenerToWrite() {
    if (opener_waiting_ && !full_.empty()) opener_cv_.notify_one();
  }

  // Closes the fds of the files in `pieces` and empties it; how many there were.
  template <typename List>
  static size_t DropAll(List* pieces) {
    size_t n = 0;
    for (Piece& p : *pieces) {
      if (p.kind == Piece::kFile && p.fd >= 0) {
        ::close(p.fd);
        ++n;
      }
    }
    pieces->clear();
    return n;
  }

  // A free buffer (the reader's own thread: waits for the opener to write one).
  std::unique_ptr<char[]> TakeFree() {
    std::unique_lock<std::mutex> lock(mu_);
    WakeOpenerToWrite();
    reader_waiting_ = true;
    reader_cv_.wait(lock, [this] { return !free_.empty(); });
    reader_waiting_ = false;
    std::unique_ptr<char[]> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  // The reader's half of the pieces, in order. False when the stream stops (a file was not as
  // described, or the call ended early); the pieces not done keep their fds for the caller to close.
  bool Process(std::vector<Piece>& pieces) {
    for (Piece& p : pieces) {
      switch (p.kind) {
        case Piece::kBytes:
          for (size_t done = 0; done < p.n;) {
            size_t k = std::min(p.n - done, kBufSize - fill_);
            std::memcpy(cur_.get() + fill_, p.p + done, k);
            done += k;
            fill_ += k;
            if (fill_ == kBufSize && !Emit()) return false;
          }
          break;
        case Piece::kFile:
          if (!ReadFile(&p)) return false;
          done_.push_back(p);  // checked and closed once its last bytes are written
          p.fd = -1;
          break;
        case Piece::kEnd:
          return Emit();  // the last buffer, partial (or empty, to close the files read into the one before)
        case Piece::kStop:
          reader_stop_ = p.stop;
          reader_stop_.stopped = true;
          reader_stop_.index = p.index;
          return false;
      }
    }
    return true;
  }

  // Reads the file's range into the stream. False when it ended early (the stream stops at
  // this file: reader_stop_ says why; its fd closed) or the call did.
  bool ReadFile(Piece* p) {
    for (uint64_t done = 0; done < p->length;) {
      size_t k = static_cast<size_t>(std::min<uint64_t>(p->length - done, kBufSize - fill_));
      ssize_t got = ::pread(p->fd, cur_.get() + fill_, k, static_cast<off_t>(p->offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        if (got < 0) p->stop.err = errno;
        else p->stop.changed = true;  // fewer bytes than its size said
        reader_stop_ = p->stop;
        reader_stop_.stopped = true;
        reader_stop_.index = p->index;
        return false;
      }
      done += static_cast<uint64_t>(got);
      fill_ += static_cast<size_t>(got);
      if (fill_ == kBufSize && !Emit()) return false;
    }
    return true;
  }

  // Hashes the buffer where it was just filled and hands it on with the files read into it:
  // delivered here when unthreaded, else queued for the opener, a free buffer taken in its
  // place. False when the stream ends (a file moved, a write failed).
  bool Emit() {
    SHA256_Update(ctx_, cur_.get(), fill_);
    Filled f;
    f.n = fill_;
    f.files.swap(done_);
    fill_ = 0;
    if (!thread_.joinable()) {
      f.buf = std::move(cur_);
      bool going = Deliver(&f);
      cur_ = std::move(f.buf);
      return going;
    }
    f.buf = std::move(cur_);
    std::unique_lock<std::mutex> lock(mu_);
    full_.push_back(std::move(f));
    if (opener_waiting_ && full_.size() >= kWake) opener_cv_.notify_one();
    if (free_.empty()) WakeOpenerToWrite();
    reader_waiting_ = true;
    reader_cv_.wait(lock, [this] { return !free_.empty(); });
    reader_waiting_ = false;
    cur_ = std::move(free_.back());
    free_.pop_back();
    return !discard_;
  }

  SHA256_CTX* ctx_;
  std::thread thread_;
  // The reader's: the buffer being filled, and the files read into it (or into the one
  // before, when it ended right at its end).
  std::unique_ptr<char[]> cur_;
  size_t fill_ = 0;
  std::vector<Piece> done_;
  // This call's: where to, and what came of it (each side's own).
  int out_fd_ = -1;
  StreamResult* result_ = nullptr;
  int write_err_ = 0;
  StreamStop opener_stop_;
  StreamStop reader_stop_;

  std::mutex mu_;
  std::condition_variable reader_cv_;
  std::condition_variable opener_cv_;
  std::deque<Piece> pieces_;  // opener → reader
  std::deque<Filled> full_;   // reader → opener
  std::vector<std::unique_ptr<char[]>> free_;
  size_t open_ahead_ = 0;  // files handed to the reader and not closed yet
  bool reader_waiting_ = false;
  bool opener_waiting_ = false;
  bool call_done_ = true;  // the reader is through this call's pieces
  bool discard_ = false;   // this call ended early: the reader drops its pieces
  bool quit_ = false;
};

// Opens the roots, then streams through `pump`.
int StreamThrough(Pump* pump, int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                  const std::vector<StreamFile>& files, StreamResult* result, int* failed_root) {
  *failed_root = -1;
  std::vector<std::unique_ptr<Fd>> owned;
  std::vector<int> rootfds;
  for (size_t i = 0; i < roots.size(); ++i) {
    owned.push_back(std::make_unique<Fd>(::open(roots[i].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)));
    if (owned.back()->get() < 0) {
      *failed_root = static_cast<int>(i);
      return -errno;
    }
    rootfds.push_back(owned.back()->get());
  }
  return pump->Run(out_fd, rootfds, bytes, files, result);
}

}  // namespace

int StreamBeneath(int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                  const std::vector<StreamFile>& files, SHA256_CTX* hash, StreamResult* result, int* failed_root) {
  uint64_t total = bytes.size();
  for (const StreamFile& f : files) total += f.length;
  Pump pump(hash, total > 2 * kBufSize, kBuffers);
  return StreamThrough(&pump, out_fd, roots, bytes, files, result, failed_root);
}

// The reader thread and its buffers outlive each call: an export makes ~70 calls, and each
// would otherwise start a thread and fault in fresh buffers.
struct StreamHash::State {
  SHA256_CTX ctx;
  // Made by the first call after a digest (or the first call): between an export's calls the
  // thread waits for pieces; once the digest is taken it is ended and its buffers go back to
  // the pool, so a finished StreamHash that JS has not collected yet holds no thread.
  std::unique_ptr<Pump> pump;
  bool failed = false;  // a call stopped or failed: later ones write nothing

  // The order of calls: Turn n runs when serving == n; turns given up before their time are
  // skipped when it comes.
  std::mutex order;
  std::condition_variable turn;
  uint64_t taken = 0;
  uint64_t serving = 0;
  std::set<uint64_t> given_up;
  State() { SHA256_Init(&ctx); }
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
    this->~Turn();
    hash_ = o.hash_;
    n_ = o.n_;
    o.hash_ = nullptr;
  }
  return *this;
}

StreamHash::Turn::~Turn() {
  if (hash_ == nullptr) return;
  std::lock_guard<std::mutex> lock(hash_->state_->order);
  hash_->state_->given_up.insert(n_);
  if (hash_->state_->serving == n_) {  // its time is now: pass it on
    while (hash_->state_->given_up.erase(hash_->state_->serving) > 0) ++hash_->state_->serving;
    hash_->state_->turn.notify_all();
  }
}

void StreamHash::Enter(uint64_t n) {
  std::unique_lock<std::mutex> lock(state_->order);
  state_->turn.wait(lock, [&] { return state_->serving == n; });
}

void StreamHash::Leave(uint64_t n) {
  std::lock_guard<std::mutex> lock(state_->order);
  state_->serving = n + 1;
  while (state_->given_up.erase(state_->serving) > 0) ++state_->serving;
  state_->turn.notify_all();
}

int StreamHash::Stream(Turn turn, int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                       const std::vector<StreamFile>& files, StreamResult* result, int* failed_root) {
  uint64_t n = turn.n_;
  turn.hash_ = nullptr;  // used, not given up
  Enter(n);
  int r = -ECANCELED;
  *failed_root = -1;
  if (!state_->failed) {
    if (!state_->pump) state_->pump = std::make_unique<Pump>(&state_->ctx, true, kSessionBuffers);
    r = StreamThrough(state_->pump.get(), out_fd, roots, bytes, files, result, failed_root);
    state_->failed = r < 0 || result->stop.stopped;
  }
  Leave(n);
  return r;
}

void StreamHash::Snapshot(Turn turn, SHA256_CTX* out) {
  uint64_t n = turn.n_;
  turn.hash_ = nullptr;
  Enter(n);
  state_->pump.reset();  // ends the thread (every call's bytes are hashed by its return)
  *out = state_->ctx;
  Leave(n);
}

}  // namespace ovl::sys
