// statx(2) mask bits newer than some libc headers: the mount ids (STATX_MNT_ID: 5.8;
// STATX_MNT_ID_UNIQUE: 6.8, a 64-bit id never reused while the machine runs).
#pragma once

#include <sys/stat.h>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
