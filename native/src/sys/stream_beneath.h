// A byte stream written to an fd (or collected) with the content of files of layer dirs
// spliced in, hashed (sha256) as it goes: the pump of a tar export, without its policy. The
// caller decides every byte around the files (headers, padding) and which files, in which
// order; this only copies, checks each file is still the one (and the size) the caller
// described, and hashes what it wrote, on a second thread when there is enough to hash.
#pragma once

// SHA256_Init and friends: deprecated in OpenSSL 3 in favour of EVP, whose context cannot be
// carried between calls as plain bytes (the caller resumes the hash across batches).
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ovl::sys {

struct StreamFile {
  uint64_t at = 0;      // where in `bytes` the content goes (non-decreasing over the list)
  uint32_t root = 0;    // index into the roots
  std::string rel;      // opened beneath that root (openat2, no symlinks, O_NOFOLLOW|O_NONBLOCK)
  uint64_t ino = 0;     // the inode it must be (0: any)
  uint64_t size = 0;    // the size the whole file must have, when opened and when read
  uint64_t offset = 0;  // the range copied: [offset, offset + length), within size
  uint64_t length = 0;
};

// Why the stream stopped at a file (nothing after it was written): err != 0 (open or read
// failed: ELOOP for a symlink on the way, EXDEV, ENOENT), or what fstat saw of it (not a
// regular file, another inode, another size), or `changed` (its ctime or size moved while
// it was read, or it had fewer bytes than its size).
struct StreamStop {
  bool stopped = false;
  size_t index = 0;
  int err = 0;
  uint32_t mode = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  bool changed = false;
};

struct StreamResult {
  uint64_t written = 0;  // bytes of stream produced (to the fd or into `collected`)
  std::string collected;  // out_fd < 0: the stream itself
  StreamStop stop;
};

// Writes bytes[0, files[0].at) + files[0]'s range + bytes[files[0].at, files[1].at) + ... +
// the rest of `bytes` to `out_fd` (plain write(2)s at its offset), or into result->collected
// when out_fd < 0, with `hash` updated over every byte. Returns 0, or -errno of a root that
// could not be opened (*failed_root = its index) or of write(2) (*failed_root = -1). A file
// that is not what was described ends the stream early with result->stop set (return 0).
int StreamBeneath(int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
                  const std::vector<StreamFile>& files, SHA256_CTX* hash, StreamResult* result, int* failed_root);

// One sha256 over a stream written by many calls in turn, hashed on a thread of its own from
// the first call until the digest: a call returns once its bytes are written (the hash catches
// up meanwhile), so nothing waits for the hash between calls. Calls run one at a time in the
// order their Turns were taken: a caller may queue the next call before the one before has
// returned (an export's next batch waits, ready, while this one is written), and it runs the
// moment that one is done. Once a call stopped at a file or failed to write, later calls
// write nothing (ECANCELED); the digest still covers what was written.
class StreamHash {
 public:
  StreamHash();
  ~StreamHash();  // waits for what is left to hash
  StreamHash(const StreamHash&) = delete;
  StreamHash& operator=(const StreamHash&) = delete;

  // A place in the order of this StreamHash's calls. Dropped unused, it gives its place up.
  class Turn {
   public:
    Turn() = default;
    Turn(Turn&& o) noexcept : hash_(o.hash_), n_(o.n_) { o.hash_ = nullptr; }
    Turn& operator=(Turn&& o) noexcept;
    ~Turn();
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;

   private:
    friend class StreamHash;
    void GiveUp();
    StreamHash* hash_ = nullptr;
    uint64_t n_ = 0;
  };
  Turn Take();

  // As StreamBeneath, hashed here, once every call whose Turn was taken before has run.
  // -ECANCELED (nothing written) after a call that stopped or failed.
  int Stream(Turn turn, int out_fd, const std::vector<std::string>& roots, const std::string& bytes,
             const std::vector<StreamFile>& files, StreamResult* result, int* failed_root);
  // The sha256 state after every byte streamed by the calls before this Turn (waits until
  // they are hashed, then ends the hash thread: the next Stream starts another).
  void Snapshot(Turn turn, SHA256_CTX* out);

 private:
  // Uses `turn`: waits until it is served, and returns its number (for Leave).
  uint64_t Enter(Turn turn);
  void Leave(uint64_t n);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ovl::sys
