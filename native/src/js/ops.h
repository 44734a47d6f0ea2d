// Each ops_*.cc defines the op structs of one area and exports them.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "js/args.h"
#include "sys/fs_context.h"
#include "sys/path_probe.h"
#include "sys/legacy_mount.h"

namespace ovl::js {

void RegisterMountOps(Napi::Env env, Napi::Object exports);      // mount, mountLegacy, umount2, mknod, statfs
void RegisterFsContextOps(Napi::Env env, Napi::Object exports);  // fsopen ... close
void RegisterFsPlanOps(Napi::Env env, Napi::Object exports);     // fsmountPlan
void RegisterXattrOps(Napi::Env env, Napi::Object exports);      // l*xattr
void RegisterPathOps(Napi::Env env, Napi::Object exports);       // probePaths, listDir
void RegisterExamineOps(Napi::Env env, Napi::Object exports);    // examinePaths, examineAndMount, checkExpectations
void RegisterScanOps(Napi::Env env, Napi::Object exports);       // scanDir
void RegisterWriteOps(Napi::Env env, Napi::Object exports);      // writeBeneath
void RegisterInotify(Napi::Env env, Napi::Object exports);       // class InotifyWatcher
void RegisterLockOps(Napi::Env env, Napi::Object exports);       // openReadLocked
void RegisterStreamOps(Napi::Env env, Napi::Object exports);     // streamBeneath

// An FsMountPlan object (fsmountPlan, examineAndMount); opened_max: the highest path index an
// 'opened' param may name, -1 where 'opened' is not allowed.
bool ParseFsMountPlan(Args& a, Napi::Value v, const std::string& what, int64_t opened_max, sys::FsMountPlanSpec* plan);
// mountLegacy's arguments, from consecutive positions (fsmountPlan) or an object's fields.
bool ParseLegacyMount(Args& a, Napi::Value source, Napi::Value target, Napi::Value fstype, Napi::Value flags, Napi::Value data,
                      Napi::Value refuse_readonly, const std::string& prefix, sys::LegacyMountSpec* spec);
// One PathProbe object.
Napi::Value ProbeToJs(Napi::Env env, const sys::PathProbeResult& r);
Napi::Value ProbesToJs(Napi::Env env, const std::vector<sys::PathProbeResult>& results);
// The paths argument: an array of strings or Buffers.
bool ParsePaths(Args& a, Napi::Value v, std::vector<std::string>* paths);

// { mountId, uniqueMountId? } of a mount just made (fsmountPlan, mountLegacy).
Napi::Value MountIdsToJs(Napi::Env env, const sys::MountIds& ids);

}  // namespace ovl::js
