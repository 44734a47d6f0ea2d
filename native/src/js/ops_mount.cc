#include <optional>
#include <string>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/legacy_mount.h"
#include "sys/mount_ops.h"

namespace ovl::js {

namespace {

const char* OrNull(const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; }

struct MountOp {
  static constexpr const char* kName = "mount";
  std::optional<std::string> source, fstype, data;
  std::string target;
  uint32_t flags = 0;

  bool Parse(Args& a) {
    return a.ToOptionalBytes(a[0], "source", &source) && a.ToBytes(a[1], "target", &target) &&
           a.ToOptionalString(a[2], "fstype", &fstype) && a.ToUint32(a[3], "flags", &flags) &&
           a.ToOptionalBytes(a[4], "data", &data);
  }
  void Execute(sys::Failure* f) {
    int rc = sys::Mount(OrNull(source), target.c_str(), OrNull(fstype), flags, OrNull(data));
    if (f->Set(rc, "mount")) f->path = target;  // like Node: the mount point names the error
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

// mount(2), then what only a mounted filesystem can show: whether it came up read-only
// (refused and undone when asked) and the ids of the new mount. One thread hop when async.
struct MountLegacyOp {
  static constexpr const char* kName = "mountLegacy";
  sys::LegacyMountSpec spec;
  sys::MountIds ids;

  bool Parse(Args& a) { return ParseLegacyMount(a, a[0], a[1], a[2], a[3], a[4], a[5], "", &spec); }
  void Execute(sys::Failure* f) { sys::RunLegacyMount(spec, &ids, f); }
  Napi::Value Result(Napi::Env env) { return MountIdsToJs(env, ids); }
};

struct Umount2Op {
  static constexpr const char* kName = "umount2";
  std::string target;
  int flags = 0;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "target", &target) && a.ToInt32(a[1], "flags", &flags);
  }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::Umount2(target.c_str(), flags), "umount2")) f->path = target;
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

struct UmountIfOp {
  static constexpr const char* kName = "umountIf";
  std::string target;
  uint64_t id = 0;
  bool unique = false;
  int flags = 0;
  sys::UmountIfResult result;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "target", &target) && a.ToCount(a[1], "id", &id) && a.ToBool(a[2], "unique", false, &unique) &&
           a.ToInt32(a[3], "flags", &flags);
  }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::UmountIf(target.c_str(), id, unique, flags, &result), "umount2")) f->path = target;
  }
  Napi::Value Result(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("unmounted", Napi::Boolean::New(env, result.unmounted));
    o.Set("targetExists", Napi::Boolean::New(env, result.target_exists));
    o.Set("frontId", Napi::Number::New(env, static_cast<double>(result.front_id)));
    o.Set("parentId", Napi::Number::New(env, static_cast<double>(result.parent_id)));
    return o;
  }
};

struct MknodOp {
  static constexpr const char* kName = "mknod";
  std::string path;
  uint32_t mode = 0, major = 0, minor = 0;

  bool Parse(Args& a) {
    return a.ToBytes(a[0], "path", &path) && a.ToUint32(a[1], "mode", &mode) &&
           a.ToUint32(a[2], "major", &major) && a.ToUint32(a[3], "minor", &minor);
  }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::Mknod(path.c_str(), mode, major, minor), "mknod")) f->path = path;
  }
  Napi::Value Result(Napi::Env env) { return env.Undefined(); }
};

struct StatfsOp {
  static constexpr const char* kName = "statfs";
  std::string path;
  sys::StatfsInfo info;

  bool Parse(Args& a) { return a.ToBytes(a[0], "path", &path); }
  void Execute(sys::Failure* f) {
    if (f->Set(sys::Statfs(path.c_str(), &info), "statfs")) f->path = path;
  }
  Napi::Value Result(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", Napi::Number::New(env, static_cast<double>(info.type)));
    o.Set("flags", Napi::Number::New(env, static_cast<double>(info.flags)));
    return o;
  }
};

}  // namespace

bool ParseLegacyMount(Args& a, Napi::Value source, Napi::Value target, Napi::Value fstype, Napi::Value flags, Napi::Value data,
                      Napi::Value refuse_readonly, const std::string& prefix, sys::LegacyMountSpec* spec) {
  uint32_t bits = 0;
  if (!(a.ToOptionalBytes(source, prefix + "source", &spec->source) && a.ToBytes(target, prefix + "target", &spec->target) &&
        a.ToOptionalString(fstype, prefix + "fstype", &spec->fstype) && a.ToUint32(flags, prefix + "flags", &bits) &&
        a.ToOptionalBytes(data, prefix + "data", &spec->data) &&
        a.ToBool(refuse_readonly, prefix + "refuseReadonly", false, &spec->refuse_readonly))) {
    return false;
  }
  spec->flags = bits;
  return true;
}

void RegisterMountOps(Napi::Env env, Napi::Object exports) {
  Export<MountOp>(env, exports);
  Export<MountLegacyOp>(env, exports);
  Export<Umount2Op>(env, exports);
  Export<UmountIfOp>(env, exports);
  Export<MknodOp>(env, exports);
  Export<StatfsOp>(env, exports);
}

}  // namespace ovl::js
