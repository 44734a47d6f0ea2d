// writeBeneath: a batch of tree writes beneath a root (sys/write_beneath.h), one thread hop
// per batch when async. Each entry is a plain object; see WriteBeneathEntry in index.d.ts.
#include <string>
#include <vector>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/write_beneath.h"

namespace ovl::js {

namespace {

bool ParseKind(Args& a, Napi::Value v, const std::string& what, sys::WriteKind* out) {
  std::string kind;
  if (!a.ToString(v, what, &kind)) return false;
  static const std::pair<const char*, sys::WriteKind> kKinds[] = {
      {"file", sys::WriteKind::kFile},         {"dir", sys::WriteKind::kDir},       {"symlink", sys::WriteKind::kSymlink},
      {"hardlink", sys::WriteKind::kHardlink}, {"chardev", sys::WriteKind::kCharDev}, {"blockdev", sys::WriteKind::kBlockDev},
      {"fifo", sys::WriteKind::kFifo},         {"remove", sys::WriteKind::kRemove}, {"empty", sys::WriteKind::kEmpty},
      {"times", sys::WriteKind::kTimes},       {"unsetxattrs", sys::WriteKind::kUnsetXattrs},
  };
  for (const auto& [name, k] : kKinds) {
    if (kind == name) {
      *out = k;
      return true;
    }
  }
  return a.Fail(what, "one of file, dir, symlink, hardlink, chardev, blockdev, fifo, remove, empty, times, unsetxattrs", v);
}

bool ParseEntry(Args& a, Napi::Value v, const std::string& what, sys::WriteEntry* e) {
  Napi::Object o;
  if (!a.ToObject(v, what, &o)) return false;
  if (!ParseKind(a, o.Get("kind"), what + ".kind", &e->kind) || !a.ToBytes(o.Get("rel"), what + ".rel", &e->rel)) return false;
  uint32_t mode = 0;
  if (!o.Get("mode").IsUndefined() && !a.ToUint32(o.Get("mode"), what + ".mode", &mode)) return false;
  e->mode = mode;
  if (!o.Get("uid").IsUndefined()) {
    e->set_owner = true;
    if (!a.ToUint32(o.Get("uid"), what + ".uid", &e->uid) || !a.ToUint32(o.Get("gid"), what + ".gid", &e->gid)) return false;
  }
  if (!o.Get("mtimeSec").IsUndefined()) {
    e->set_times = true;
    int64_t nsec = 0;
    if (!a.ToInteger(o.Get("mtimeSec"), what + ".mtimeSec", INT64_MIN / 2, INT64_MAX / 2, &e->mtime_sec)) return false;
    if (!o.Get("mtimeNsec").IsUndefined() && !a.ToInteger(o.Get("mtimeNsec"), what + ".mtimeNsec", 0, 999999999, &nsec)) return false;
    e->mtime_nsec = static_cast<uint32_t>(nsec);
  }
  if (!o.Get("devMajor").IsUndefined() &&
      (!a.ToUint32(o.Get("devMajor"), what + ".devMajor", &e->dev_major) || !a.ToUint32(o.Get("devMinor"), what + ".devMinor", &e->dev_minor))) {
    return false;
  }
  if (!o.Get("target").IsUndefined() && !a.ToBytes(o.Get("target"), what + ".target", &e->target)) return false;
  if (!o.Get("data").IsUndefined() && !a.ToBinary(o.Get("data"), what + ".data", &e->data)) return false;
  if (!o.Get("offset").IsUndefined() && !a.ToCount(o.Get("offset"), what + ".offset", &e->offset)) return false;
  if (!a.ToBool(o.Get("first"), what + ".first", true, &e->first) || !a.ToBool(o.Get("last"), what + ".last", true, &e->last)) return false;
  if (!o.Get("xattrs").IsUndefined()) {
    Napi::Array list;
    if (!a.ToArray(o.Get("xattrs"), what + ".xattrs", &list)) return false;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Array pair;
      std::string at = what + ".xattrs[" + std::to_string(i) + "]";
      std::string name, value;
      if (!a.ToArray(list.Get(i), at, &pair) || !a.ToBytes(pair.Get(0u), at + "[0]", &name) || !a.ToBinary(pair.Get(1u), at + "[1]", &value)) return false;
      e->xattrs.emplace_back(std::move(name), std::move(value));
    }
  }
  return true;
}

struct WriteBeneathOp {
  static constexpr const char* kName = "writeBeneath";
  std::string root;
  std::vector<sys::WriteEntry> entries;
  size_t failed = 0;

  bool Parse(Args& a) {
    Napi::Array list;
    if (!a.ToBytes(a[0], "root", &root) || !a.ToArray(a[1], "entries", &list)) return false;
    entries.resize(list.Length());
    for (uint32_t i = 0; i < list.Length(); ++i) {
      if (!ParseEntry(a, list.Get(i), "entries[" + std::to_string(i) + "]", &entries[i])) return false;
    }
    return true;
  }
  void Execute(sys::Failure* f) {
    const char* syscall = "open";
    const int r = sys::WriteBeneath(root.c_str(), entries, &failed, &syscall);  // sets syscall: read it after
    if (f->Set(r, syscall)) {
      f->path = root;
      if (failed < entries.size()) f->dest = entries[failed].rel;
      f->param_index = static_cast<int>(failed);
    }
  }
  Napi::Value Result(Napi::Env env) { return Napi::Number::New(env, static_cast<double>(entries.size())); }
};

}  // namespace

void RegisterWriteOps(Napi::Env env, Napi::Object exports) { Export<WriteBeneathOp>(env, exports); }

}  // namespace ovl::js
