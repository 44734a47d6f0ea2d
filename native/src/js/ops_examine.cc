// examinePaths (what a mount's checks look at, one thread hop), examineAndMount (the same,
// then a mount only if plain-data expectations about it hold: one hop for a whole mount), and
// checkExpectations (that comparison alone, over facts given as data: what tests use to hold
// the caller's checks against it).
#include <string>
#include <utility>
#include <vector>

#include "js/ops.h"
#include "js/run_op.h"
#include "sys/examine.h"
#include "sys/examine_and_mount.h"
#include "sys/expectations.h"

namespace ovl::js {

namespace {

bool ParseExamine(Args& a, sys::ExamineSpec* e) {
  int64_t index = 0;
  if (!ParsePaths(a, a[0], &e->paths) ||
      !a.ToInteger(a[1], "listIndex", -1, static_cast<int64_t>(e->paths.size()) - 1, &index) ||
      !a.ToCount(a[2], "listMax", &e->list_max) || !a.ToCount(a[3], "mountsOfType", &e->magic)) {
    return false;
  }
  e->list_index = static_cast<int>(index);
  return true;
}

Napi::Value ExaminedToJs(Napi::Env env, const sys::ExamineSpec& e, const sys::Examined& found) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("probes", ProbesToJs(env, found.probes));
  if (found.list_err < 0) {
    o.Set("listErrno", Napi::Number::New(env, -found.list_err));
    o.Set("listSyscall", Napi::String::New(env, found.list_syscall));
  } else if (found.listed) {
    Napi::Array array = Napi::Array::New(env, found.names.size());
    for (size_t i = 0; i < found.names.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::String::New(env, found.names[i]));
    o.Set("listing", array);
  }
  if (found.mounts_err < 0) {
    o.Set("mountsErrno", Napi::Number::New(env, -found.mounts_err));
  } else if (e.magic != 0) {
    Napi::Array array = Napi::Array::New(env, found.mounts.size());
    for (size_t i = 0; i < found.mounts.size(); ++i) {
      const sys::MountOfType& m = found.mounts[i];
      Napi::Object js = Napi::Object::New(env);
      js.Set("mountId", Napi::Number::New(env, m.old_id));
      js.Set("uniqueMountId", Napi::Number::New(env, static_cast<double>(m.unique_id)));
      js.Set("mountPoint", Napi::String::New(env, m.mount_point));
      js.Set("options", Napi::String::New(env, m.options));
      js.Set("readonly", Napi::Boolean::New(env, m.readonly));
      array.Set(static_cast<uint32_t>(i), js);
    }
    o.Set("mounts", array);
  }
  return o;
}

bool ParseExpectations(Args& a, Napi::Value v, size_t path_count, sys::Expectations* x) {
  Napi::Object o;
  if (!a.ToObject(v, "expect", &o)) return false;
  Napi::Value type = o.Get("fileType");
  if (!type.IsUndefined() && !a.ToUint32(type, "expect.fileType", &x->file_type)) return false;
  if (!a.ToBool(o.Get("canonical"), "expect.canonical", false, &x->canonical) ||
      !a.ToBool(o.Get("distinct"), "expect.distinct", false, &x->distinct)) {
    return false;
  }
  Napi::Value pairs = o.Get("sameMount");
  if (!pairs.IsUndefined()) {
    Napi::Array list;
    if (!a.ToArray(pairs, "expect.sameMount", &list)) return false;
    const int64_t max = static_cast<int64_t>(path_count) - 1;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      std::string at = "expect.sameMount[" + std::to_string(i) + "]";
      Napi::Array pair;
      int64_t first = 0, second = 0;
      if (!a.ToArray(list.Get(i), at, &pair) || !a.ToInteger(pair.Get(0u), at + "[0]", 0, max, &first) ||
          !a.ToInteger(pair.Get(1u), at + "[1]", 0, max, &second)) {
        return false;
      }
      x->same_mount.emplace_back(static_cast<uint32_t>(first), static_cast<uint32_t>(second));
    }
  }
  Napi::Value names = o.Get("listingOnly");
  if (!names.IsUndefined() && !a.ToBytesList(names, "expect.listingOnly", &x->listing_only.emplace())) return false;
  Napi::Value needles = o.Get("optionsExclude");
  if (!needles.IsUndefined()) {
    Napi::Array list;
    if (!a.ToArray(needles, "expect.optionsExclude", &list)) return false;
    auto& out = x->options_exclude.emplace(list.Length());
    for (uint32_t i = 0; i < list.Length(); ++i) {
      std::string at = "expect.optionsExclude[" + std::to_string(i) + "]";
      Napi::Object needle;
      if (!a.ToObject(list.Get(i), at, &needle) || !a.ToBinary(needle.Get("text"), at + ".text", &out[i].text)) return false;
      Napi::Value unless = needle.Get("unlessNext");
      if (!unless.IsUndefined() && !a.ToBinary(unless, at + ".unlessNext", &out[i].unless_next)) return false;
    }
  }
  return true;
}

// { plan } (the new API; its 'opened' params name path indices) or { legacy } (mount(2)).
bool ParseMount(Args& a, Napi::Value v, size_t path_count, sys::MountSpec* mount) {
  Napi::Object o;
  if (!a.ToObject(v, "mount", &o)) return false;
  Napi::Value plan = o.Get("plan");
  if (!plan.IsUndefined()) {
    return ParseFsMountPlan(a, plan, "mount.plan", static_cast<int64_t>(path_count) - 1, &mount->emplace<sys::FsMountPlanSpec>());
  }
  Napi::Object legacy;
  if (!a.ToObject(o.Get("legacy"), "mount.legacy (or mount.plan)", &legacy)) return false;
  return ParseLegacyMount(a, legacy.Get("source"), legacy.Get("target"), legacy.Get("fstype"), legacy.Get("flags"), legacy.Get("data"),
                          legacy.Get("refuseReadonly"), "mount.legacy.", &mount->emplace<sys::LegacyMountSpec>());
}

struct ExaminePathsOp {
  static constexpr const char* kName = "examinePaths";
  sys::ExamineSpec examine;
  sys::Examined found;

  bool Parse(Args& a) { return ParseExamine(a, &examine); }
  void Execute(sys::Failure*) { sys::Examine(examine.paths, examine.list_index, examine.list_max, examine.magic, &found); }
  Napi::Value Result(Napi::Env env) { return ExaminedToJs(env, examine, found); }
};

struct ExamineAndMountOp {
  static constexpr const char* kName = "examineAndMount";
  sys::ExamineSpec examine;
  sys::Expectations expect;
  sys::MountSpec mount;
  sys::ExamineAndMountResult result;

  bool Parse(Args& a) {
    return ParseExamine(a, &examine) && ParseExpectations(a, a[4], examine.paths.size(), &expect) &&
           ParseMount(a, a[5], examine.paths.size(), &mount);
  }
  void Execute(sys::Failure* f) { sys::RunExamineAndMount(examine, expect, std::move(mount), &result, f); }
  Napi::Value Result(Napi::Env env) {
    if (result.mounted) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("mounted", MountIdsToJs(env, result.ids));
      return o;
    }
    Napi::Object o = ExaminedToJs(env, examine, result.found).As<Napi::Object>();
    o.Set("unmet", Napi::String::New(env, result.unmet));
    return o;
  }
};

// Facts as examinePaths gives them, back into their C++ form (only what expectations read).
bool ParseFacts(Args& a, Napi::Value v, sys::Examined* found) {
  Napi::Object o;
  Napi::Array probes;
  if (!a.ToObject(v, "facts", &o) || !a.ToArray(o.Get("probes"), "facts.probes", &probes)) return false;
  found->probes.resize(probes.Length());
  for (uint32_t i = 0; i < probes.Length(); ++i) {
    std::string at = "facts.probes[" + std::to_string(i) + "]";
    sys::PathProbeResult& p = found->probes[i];
    Napi::Object js;
    int64_t err = 0;
    if (!a.ToObject(probes.Get(i), at, &js) || !a.ToInteger(js.Get("errno"), at + ".errno", 0, 4095, &err)) return false;
    p.err = static_cast<int>(err);
    if (p.err != 0) continue;
    int64_t mount_id = 0;
    if (!a.ToUint32(js.Get("mode"), at + ".mode", &p.mode) || !a.ToUint32(js.Get("devMajor"), at + ".devMajor", &p.dev_major) ||
        !a.ToUint32(js.Get("devMinor"), at + ".devMinor", &p.dev_minor) ||
        !a.ToInteger(js.Get("mountId"), at + ".mountId", 0, int64_t{1} << 53, &mount_id)) {
      return false;
    }
    p.mount_id = static_cast<uint64_t>(mount_id);
    Napi::Value ino = js.Get("ino");
    if (!ino.IsBigInt()) return a.Fail(at + ".ino", "a bigint", ino);
    bool lossless = true;
    p.ino = ino.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) return a.Fail(at + ".ino", "a bigint in [0, 2^64)", ino);
    Napi::Value real = js.Get("realpath");
    if (!real.IsUndefined()) {
      if (!a.ToBytes(real, at + ".realpath", &p.realpath)) return false;
      p.has_realpath = true;
    }
  }
  Napi::Value listing = o.Get("listing");
  if (!listing.IsUndefined()) {
    if (!a.ToBytesList(listing, "facts.listing", &found->names)) return false;
    found->listed = true;
  }
  Napi::Value mounts = o.Get("mounts");
  Napi::Value mounts_errno = o.Get("mountsErrno");
  if (!mounts_errno.IsUndefined()) {
    int64_t err = 0;
    if (!a.ToInteger(mounts_errno, "facts.mountsErrno", 1, 4095, &err)) return false;
    found->mounts_asked = true;
    found->mounts_err = static_cast<int>(-err);
  } else if (!mounts.IsUndefined()) {
    Napi::Array list;
    if (!a.ToArray(mounts, "facts.mounts", &list)) return false;
    found->mounts_asked = true;
    found->mounts.resize(list.Length());
    for (uint32_t i = 0; i < list.Length(); ++i) {
      std::string at = "facts.mounts[" + std::to_string(i) + "]";
      Napi::Object m;
      if (!a.ToObject(list.Get(i), at, &m) || !a.ToBinary(m.Get("options"), at + ".options", &found->mounts[i].options)) return false;
    }
  }
  return true;
}

// Pure: no syscall, so no async twin.
struct CheckExpectationsOp {
  static constexpr const char* kName = "checkExpectations";
  std::vector<std::string> paths;
  sys::Examined found;
  sys::Expectations expect;
  std::string unmet;

  bool Parse(Args& a) {
    return ParsePaths(a, a[0], &paths) && ParseFacts(a, a[1], &found) && ParseExpectations(a, a[2], paths.size(), &expect);
  }
  void Execute(sys::Failure*) { unmet = sys::UnmetExpectation(paths, found, expect); }
  Napi::Value Result(Napi::Env env) { return Napi::String::New(env, unmet); }
};

}  // namespace

void RegisterExamineOps(Napi::Env env, Napi::Object exports) {
  Export<ExaminePathsOp>(env, exports);
  Export<ExamineAndMountOp>(env, exports);
  ExportSync<CheckExpectationsOp>(env, exports);
}

}  // namespace ovl::js
