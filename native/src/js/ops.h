// Each ops_*.cc defines the op structs of one area and exports them.
#pragma once

#include <napi.h>

#include "sys/fs_context.h"

namespace ovl::js {

void RegisterMountOps(Napi::Env env, Napi::Object exports);      // mount, mountLegacy, umount2, mknod, statfs
void RegisterFsContextOps(Napi::Env env, Napi::Object exports);  // fsopen ... close
void RegisterFsPlanOps(Napi::Env env, Napi::Object exports);     // fsmountPlan
void RegisterXattrOps(Napi::Env env, Napi::Object exports);      // l*xattr
void RegisterPathOps(Napi::Env env, Napi::Object exports);       // probePaths, listDir
void RegisterScanOps(Napi::Env env, Napi::Object exports);       // scanDir
void RegisterWriteOps(Napi::Env env, Napi::Object exports);      // writeBeneath
void RegisterInotify(Napi::Env env, Napi::Object exports);       // class InotifyWatcher
void RegisterLockOps(Napi::Env env, Napi::Object exports);       // openReadLocked
void RegisterStreamOps(Napi::Env env, Napi::Object exports);     // streamBeneath

// { mountId, uniqueMountId? } of a mount just made (fsmountPlan, mountLegacy).
Napi::Value MountIdsToJs(Napi::Env env, const sys::MountIds& ids);

}  // namespace ovl::js
