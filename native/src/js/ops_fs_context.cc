// The new mount API one syscall at a time. fsopen, readFsLog and close are sync only: they
// never block on I/O.
#include <optional>
#include <string>
#include <vector>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/fs_context.h"

namespace ovl::js {

namespace {

constexpr uint32_t kSetString = 1, kSetBinary = 2, kSetPath = 3, kSetPathEmpty = 4;

Napi::Array ToStringArray(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array array = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), Napi::String::New(env, items[i].data(), items[i].size()));
  }
  return array;
}

struct FsOpenOp {
  static constexpr const char* kName = "fsopen";
  std::string fstype;
  uint32_t flags = 0;
  int fd = -1;

  bool Parse(Args& a) {
    return a.ToString(a[0], "fstype", &fstype) && a.ToUint32(a[1], "flags", &flags);
  }
  void Execute(sys::Failure* f) {
    fd = sys::FsOpen(fstype.c_str(), flags);
    f->Set(fd, "fsopen");
  }
  Napi::Value Result(Napi::Env env) { return Napi::Number::New(env, fd); }
};

struct FsConfigOp {
  static constexpr const char* kName = "fsconfig";
  int fd = -1;
  uint32_t cmd = 0;
  std::optional<std::string> key, value;
  int aux = 0;

  bool Parse(Args& a) {
    if (!a.ToInt32(a[0], "fd", &fd) || !a.ToUint32(a[1], "cmd", &cmd) || !a.ToOptionalString(a[2], "key", &key)) return false;
    // FSCONFIG_SET_BINARY (2) passes a blob with its length; every other value is a C string.
    constexpr uint32_t kSetBinary = 2;
    bool ok = cmd == kSetBinary && !a[3].IsNull() && !a[3].IsUndefined() ? a.ToBinary(a[3], "value", &value.emplace())
                                                                          : a.ToOptionalBytes(a[3], "value", &value);
    return ok && a.ToInt32(a[4], "aux", &aux);
  }
  void Execute(sys::Failure* f) {
    const char* k = key ? key->c_str() : nullptr;
    const void* v = value ? value->data() : nullptr;
    // The kernel copies `aux` bytes of a binary value: never let it read past the copy.
    int a = (cmd == kSetBinary && value) ? static_cast<int>(value->size()) : aux;
    if (!f->Set(sys::FsConfig(fd, cmd, k, v, a), "fsconfig")) return;
    f->key = key;
    if (value && (cmd == kSetString || cmd == kSetPath || cmd == kSetPathEmpty)) f->path = value;
    sys::ReadFsLogIfFsContext(fd, &f->kernel_messages);
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

struct FsMountOp {
  static constexpr const char* kName = "fsmount";
  int fd = -1;
  uint32_t flags = 0, attrs = 0;
  int mount_fd = -1;

  bool Parse(Args& a) {
    return a.ToInt32(a[0], "fd", &fd) && a.ToUint32(a[1], "flags", &flags) &&
           a.ToUint32(a[2], "attrs", &attrs);
  }
  void Execute(sys::Failure* f) {
    mount_fd = sys::FsMount(fd, flags, attrs);
    if (f->Set(mount_fd, "fsmount")) sys::ReadFsLogIfFsContext(fd, &f->kernel_messages);
  }
  Napi::Value Result(Napi::Env env) { return Napi::Number::New(env, mount_fd); }
};

struct MoveMountOp {
  static constexpr const char* kName = "moveMount";
  int from_dfd = -1, to_dfd = -1;
  std::string from_path, to_path;
  uint32_t flags = 0;

  bool Parse(Args& a) {
    return a.ToInt32(a[0], "fromDfd", &from_dfd) && a.ToBytes(a[1], "fromPath", &from_path) &&
           a.ToInt32(a[2], "toDfd", &to_dfd) && a.ToBytes(a[3], "toPath", &to_path) &&
           a.ToUint32(a[4], "flags", &flags);
  }
  void Execute(sys::Failure* f) {
    int rc = sys::MoveMount(from_dfd, from_path.c_str(), to_dfd, to_path.c_str(), flags);
    if (!f->Set(rc, "move_mount")) return;
    f->path = from_path;
    f->dest = to_path;
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

struct ReadFsLogOp {
  static constexpr const char* kName = "readFsLog";
  int fd = -1;
  std::vector<std::string> messages;

  bool Parse(Args& a) { return a.ToInt32(a[0], "fd", &fd); }
  void Execute(sys::Failure* f) { f->Set(sys::ReadFsLog(fd, &messages), "read"); }
  Napi::Value Result(Napi::Env env) { return ToStringArray(env, messages); }
};

struct CloseOp {
  static constexpr const char* kName = "close";
  int fd = -1;

  bool Parse(Args& a) { return a.ToInt32(a[0], "fd", &fd); }
  void Execute(sys::Failure* f) { f->Set(sys::Close(fd), "close"); }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

}  // namespace

void RegisterFsContextOps(Napi::Env env, Napi::Object exports) {
  ExportSync<FsOpenOp>(env, exports);
  Export<FsConfigOp>(env, exports);
  Export<FsMountOp>(env, exports);
  Export<MoveMountOp>(env, exports);
  ExportSync<ReadFsLogOp>(env, exports);
  ExportSync<CloseOp>(env, exports);
}

}  // namespace ovl::js
