// Each ops_*.cc defines the op structs of one area and exports them.
#pragma once

#include <napi.h>

namespace ovl::js {

void RegisterMountOps(Napi::Env env, Napi::Object exports);      // mount, umount2, mknod, statfs
void RegisterFsContextOps(Napi::Env env, Napi::Object exports);  // fsopen ... close
void RegisterFsPlanOps(Napi::Env env, Napi::Object exports);     // fsmountPlan
void RegisterXattrOps(Napi::Env env, Napi::Object exports);      // l*xattr
void RegisterPathOps(Napi::Env env, Napi::Object exports);       // probePaths, listDir
void RegisterScanOps(Napi::Env env, Napi::Object exports);       // scanDir
void RegisterWriteOps(Napi::Env env, Napi::Object exports);      // writeBeneath
void RegisterInotify(Napi::Env env, Napi::Object exports);       // class InotifyWatcher
void RegisterLockOps(Napi::Env env, Napi::Object exports);       // openReadLocked

}  // namespace ovl::js
