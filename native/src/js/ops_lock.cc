// openReadLocked: a lock file opened read-only and read-locked the way its owner's writers
// lock it (sys/file_lock.h). Closing the returned fd (close) releases the lock.
#include <unistd.h>

#include <string>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/file_lock.h"

namespace ovl::js {

namespace {

struct OpenReadLockedOp {
  static constexpr const char* kName = "openReadLocked";
  std::string path, kind_name;
  sys::ReadLockKind kind = sys::ReadLockKind::kRecord;
  bool wait = true;
  int fd = -1;

  bool Parse(Args& a) {
    if (!a.ToBytes(a[0], "path", &path) || !a.ToString(a[1], "kind", &kind_name) || !a.ToBool(a[2], "wait", true, &wait)) return false;
    if (kind_name == "record") kind = sys::ReadLockKind::kRecord;
    else if (kind_name == "flock") kind = sys::ReadLockKind::kFlock;
    else return a.Fail("kind", "'record' or 'flock'", a[1]);
    return true;
  }
  void Execute(sys::Failure* f) {
    const char* syscall = "open";
    int r = sys::OpenReadLocked(path.c_str(), kind, wait, &syscall);
    if (f->Set(r, syscall)) f->path = path;
    else fd = r;
  }
  Napi::Value Result(Napi::Env env) {
    napi_value out;
    if (napi_create_int32(env, fd, &out) != napi_ok) {
      // The caller never learns the fd: release the lock rather than leak it.
      ::close(fd);
      return env.Undefined();
    }
    return Napi::Value(env, out);
  }
};

}  // namespace

void RegisterLockOps(Napi::Env env, Napi::Object exports) { Export<OpenReadLockedOp>(env, exports); }

}  // namespace ovl::js
