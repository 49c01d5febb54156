//! A thin layer over SQLite's C API for the paths that bypass sqlx: the
//! range read, the bulk import, the read-only query and the checkpoints.
//!
//! It is the same SQLite library sqlx links (libsqlite3-sys). Every
//! [`Statement`] belongs to a connection that nothing else uses while the
//! statement lives: a `LockedSqliteHandle` from sqlx, or a [`Connection`]
//! this module opened itself.

use std::ffi::{CStr, CString, c_int};
use std::path::Path;
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;

/// The message and extended result code of a failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteFailure {
    pub code: c_int,
    pub message: String,
}

impl SqliteFailure {
    /// What `db` says about its last failure.
    pub fn of(db: *mut ffi::sqlite3) -> Self {
        // SAFETY: `db` is a live connection (every caller holds one);
        // sqlite3_errmsg returns a valid NUL-terminated string.
        let (code, message) = unsafe {
            (
                ffi::sqlite3_extended_errcode(db),
                CStr::from_ptr(ffi::sqlite3_errmsg(db))
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        Self { code, message }
    }

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_INTERRUPT`...).
    pub fn primary(&self) -> c_int {
        self.code & 0xff
    }
}

impl std::fmt::Display for SqliteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A prepared statement, finalized on drop.
pub struct Statement {
    raw: *mut ffi::sqlite3_stmt,
    db: *mut ffi::sqlite3,
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: `raw` came from sqlite3_prepare_v2 and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.raw) };
    }
}

impl Statement {
    /// Prepares the first statement of `sql`; `Ok(None)` when `sql` holds
    /// only whitespace or comments. Also returns the unparsed rest.
    ///
    /// # Safety
    /// `db` must be an open connection that no other thread uses while the
    /// returned statement lives.
    pub unsafe fn prepare_first(
        db: NonNull<ffi::sqlite3>,
        sql: &str,
    ) -> Result<(Option<Self>, &str), SqliteFailure> {
        let db = db.as_ptr();
        let len = c_int::try_from(sql.len()).map_err(|_| SqliteFailure {
            code: ffi::SQLITE_TOOBIG,
            message: "SQL text too long".into(),
        })?;
        let mut raw = ptr::null_mut();
        let mut tail = ptr::null();
        // SAFETY: `db` is open and ours (caller contract); `sql` is valid
        // for `len` bytes; SQLite writes the statement and the tail pointer.
        let rc =
            unsafe { ffi::sqlite3_prepare_v2(db, sql.as_ptr().cast(), len, &mut raw, &mut tail) };
        if rc != ffi::SQLITE_OK {
            return Err(SqliteFailure::of(db));
        }
        // SAFETY: SQLite sets `tail` inside `sql` (or to its end).
        let used = unsafe { tail.cast::<u8>().offset_from(sql.as_ptr()) };
        let rest = sql
            .get(usize::try_from(used).unwrap_or(sql.len())..)
            .unwrap_or("");
        let stmt = (!raw.is_null()).then_some(Self { raw, db });
        Ok((stmt, rest))
    }

    /// Prepares one statement known at compile time.
    ///
    /// # Safety
    /// As for [`Statement::prepare_first`].
    pub unsafe fn prepare(db: NonNull<ffi::sqlite3>, sql: &CStr) -> Result<Self, SqliteFailure> {
        let db = db.as_ptr();
        let mut raw = ptr::null_mut();
        // SAFETY: as above; `sql` is NUL-terminated.
        let rc =
            unsafe { ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut raw, ptr::null_mut()) };
        if rc != ffi::SQLITE_OK || raw.is_null() {
            return Err(SqliteFailure::of(db));
        }
        Ok(Self { raw, db })
    }

    fn check(&self, rc: c_int) -> Result<(), SqliteFailure> {
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(SqliteFailure::of(self.db))
        }
    }

    pub fn bind_text(&self, i: c_int, s: &str) -> Result<(), SqliteFailure> {
        let len = c_int::try_from(s.len()).map_err(|_| SqliteFailure {
            code: ffi::SQLITE_TOOBIG,
            message: "text too long".into(),
        })?;
        // SAFETY: SQLITE_TRANSIENT makes SQLite copy `s` before returning.
        self.check(unsafe {
            ffi::sqlite3_bind_text(self.raw, i, s.as_ptr().cast(), len, ffi::SQLITE_TRANSIENT())
        })
    }

    pub fn bind_i64(&self, i: c_int, v: i64) -> Result<(), SqliteFailure> {
        // SAFETY: binding a value to a live statement.
        self.check(unsafe { ffi::sqlite3_bind_int64(self.raw, i, v) })
    }

    pub fn bind_f64(&self, i: c_int, v: f64) -> Result<(), SqliteFailure> {
        // SAFETY: binding a value to a live statement.
        self.check(unsafe { ffi::sqlite3_bind_double(self.raw, i, v) })
    }

    /// Runs to the next row: `true` when a row is current, `false` when done.
    pub fn step(&mut self) -> Result<bool, SqliteFailure> {
        // SAFETY: stepping a live statement on a connection we hold.
        match unsafe { ffi::sqlite3_step(self.raw) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            _ => Err(SqliteFailure::of(self.db)),
        }
    }

    /// Runs a statement that returns no rows, then resets it for reuse.
    pub fn execute(&mut self) -> Result<(), SqliteFailure> {
        let stepped = self.step();
        self.reset();
        stepped.map(|_| ())
    }

    /// Makes the statement ready to run again (bindings are kept).
    pub fn reset(&mut self) {
        // SAFETY: resetting a live statement; its error is reported by step.
        unsafe { ffi::sqlite3_reset(self.raw) };
    }

    /// Whether the statement leaves the database unchanged.
    pub fn is_read_only(&self) -> bool {
        // SAFETY: querying a live statement.
        unsafe { ffi::sqlite3_stmt_readonly(self.raw) != 0 }
    }

    pub fn column_count(&self) -> c_int {
        // SAFETY: querying a live statement.
        unsafe { ffi::sqlite3_column_count(self.raw) }
    }

    pub fn column_name(&self, i: c_int) -> String {
        // SAFETY: `i` < column_count (callers iterate that range); the name
        // is a valid C string until the statement is finalized.
        unsafe { cstr_lossy(ffi::sqlite3_column_name(self.raw, i)) }.unwrap_or_default()
    }

    /// The declared type of a result column, when it comes straight from a
    /// table column.
    pub fn column_decltype(&self, i: c_int) -> Option<String> {
        // SAFETY: as for column_name.
        unsafe { cstr_lossy(ffi::sqlite3_column_decltype(self.raw, i)) }
    }

    /// The storage class of column `i` of the current row (`SQLITE_INTEGER`...).
    pub fn column_type(&self, i: c_int) -> c_int {
        // SAFETY: a row is current (callers only ask after `step` said so).
        unsafe { ffi::sqlite3_column_type(self.raw, i) }
    }

    pub fn column_i64(&self, i: c_int) -> i64 {
        // SAFETY: a row is current; any column index is safe to read.
        unsafe { ffi::sqlite3_column_int64(self.raw, i) }
    }

    pub fn column_f64(&self, i: c_int) -> f64 {
        // SAFETY: as for column_i64.
        unsafe { ffi::sqlite3_column_double(self.raw, i) }
    }

    /// Column `i` as bytes (text or blob), valid until the next step.
    pub fn column_bytes(&self, i: c_int) -> &[u8] {
        // SAFETY: a row is current; sqlite3_column_blob returns a pointer to
        // sqlite3_column_bytes bytes that stay valid until the next step,
        // reset or finalize, which need `&mut self` and so cannot happen
        // while the returned slice borrows `self`.
        unsafe {
            let data = ffi::sqlite3_column_blob(self.raw, i).cast::<u8>();
            let len = usize::try_from(ffi::sqlite3_column_bytes(self.raw, i)).unwrap_or(0);
            if data.is_null() || len == 0 {
                &[]
            } else {
                std::slice::from_raw_parts(data, len)
            }
        }
    }
}

/// # Safety
/// `p` is null or a valid NUL-terminated string.
unsafe fn cstr_lossy(p: *const std::ffi::c_char) -> Option<String> {
    // SAFETY: per the function's contract.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// Runs SQL without results (`BEGIN`, `COMMIT`...).
///
/// # Safety
/// As for [`Statement::prepare_first`].
pub unsafe fn exec(db: NonNull<ffi::sqlite3>, sql: &CStr) -> Result<(), SqliteFailure> {
    // SAFETY: `db` is open and ours; `sql` is NUL-terminated.
    let rc = unsafe {
        ffi::sqlite3_exec(
            db.as_ptr(),
            sql.as_ptr(),
            None,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(SqliteFailure::of(db.as_ptr()))
    }
}

/// A connection this module opened, closed on drop. Used by one thread at a
/// time (it is `Send`, not `Sync`).
pub struct Connection {
    db: NonNull<ffi::sqlite3>,
}

// SAFETY: SQLite is built threadsafe (SQLITE_THREADSAFE=1); a connection may
// move between threads as long as one thread uses it at a time, which `&mut`
// and the lack of `Sync` guarantee.
unsafe impl Send for Connection {}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: closing the handle we opened, once. Owners finalize their
        // statements first; were one left, sqlite3_close would refuse
        // (SQLITE_BUSY) and leak the handle rather than free it under it.
        unsafe { ffi::sqlite3_close(self.db.as_ptr()) };
    }
}

impl Connection {
    /// Opens `path` read-only (`SQLITE_OPEN_READONLY`, what `mode=ro` means
    /// in a URI); never creates the file.
    pub fn open_read_only(path: &Path) -> Result<Self, SqliteFailure> {
        Self::open(path, ffi::SQLITE_OPEN_READONLY)
    }

    /// Opens an existing database at `path` for reading and writing; never
    /// creates the file.
    pub fn open_existing(path: &Path) -> Result<Self, SqliteFailure> {
        Self::open(path, ffi::SQLITE_OPEN_READWRITE)
    }

    fn open(path: &Path, mode: c_int) -> Result<Self, SqliteFailure> {
        let name =
            CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| SqliteFailure {
                code: ffi::SQLITE_CANTOPEN,
                message: "the database path contains a NUL byte".into(),
            })?;
        let mut db = ptr::null_mut();
        let flags = mode | ffi::SQLITE_OPEN_NOMUTEX;
        // SAFETY: `name` is NUL-terminated; SQLite writes the handle (even on
        // failure, when it must still be closed).
        let rc = unsafe { ffi::sqlite3_open_v2(name.as_ptr(), &mut db, flags, ptr::null()) };
        let Some(db) = NonNull::new(db) else {
            return Err(SqliteFailure {
                code: ffi::SQLITE_NOMEM,
                message: "out of memory opening the database".into(),
            });
        };
        let conn = Self { db };
        if rc != ffi::SQLITE_OK {
            return Err(SqliteFailure::of(db.as_ptr()));
        }
        Ok(conn)
    }

    pub fn handle(&mut self) -> NonNull<ffi::sqlite3> {
        self.db
    }
}
