// Read locks on lock files other programs own: a file is opened read-only and locked the
// way its writers lock it, so their next write waits for us to close the fd (and we wait
// for theirs). Nothing is ever written, created or truncated.
#pragma once

namespace ovl::sys {

enum class ReadLockKind {
  // A POSIX record read lock on the whole file, the kind containers/storage's pkg/lockfile
  // takes (fcntl F_SETLKW with F_RDLCK/F_WRLCK, l_start 0, l_len 0). Taken as an open file
  // description lock (F_OFD_SETLKW, Linux 3.15): it conflicts with the writers' classic
  // record locks all the same, but belongs to this fd alone, so closing another fd of the
  // same file in this process (or a second reader here finishing first) does not drop it.
  kRecord,
  // flock(LOCK_SH), the kind bbolt takes on its database file (LOCK_EX while a writer has it open).
  kFlock,
};

// Opens `path` (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC; O_NONBLOCK so a FIFO
// swapped in cannot hang the open) and takes a read lock of `kind` on the whole file, waiting
// for writers when `wait`, otherwise failing with EAGAIN/EWOULDBLOCK while one holds it.
// Returns the fd (closing it releases the lock) or -errno. *syscall names the call that failed.
int OpenReadLocked(const char* path, ReadLockKind kind, bool wait, const char** syscall);

}  // namespace ovl::sys
