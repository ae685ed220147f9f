//! A backend written in Rust, driven through the C core exactly as the
//! command line and a guest device drive one.

use std::cell::RefCell;
use std::ffi::CString;

use super::*;

thread_local! {
    /// What the test backend saw: (event, detail).
    static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn seen(event: String) {
    SEEN.with(|s| s.borrow_mut().push(event));
}

struct Recorder {
    tag: String,
}

impl Backend for Recorder {
    const NAME: &'static CStr = c"rust-test";
    const DESC: &'static CStr = c"records what it is given (rivet-audio's tests)";
    const KEYS: &'static [(&'static CStr, bool)] = &[(c"tag", true), (c"fail", false)];

    fn open(dev: &AudioDev) -> Result<Self> {
        if dev.option("fail").as_deref() == Some("open") {
            return Err(Error::new("refused to open"));
        }
        Ok(Self {
            tag: format!("{}:{}", dev.id(), dev.option("tag").unwrap_or_default()),
        })
    }

    fn start(&mut self, format: Format) -> Result<()> {
        seen(format!(
            "{} start {}x{}",
            self.tag, format.rate, format.channels
        ));
        Ok(())
    }

    fn write(&mut self, samples: &[i16]) -> Result<()> {
        seen(format!("{} write {samples:?}", self.tag));
        if samples.contains(&-1) {
            return Err(Error::new("cannot play -1"));
        }
        Ok(())
    }

    fn close(self, complete: bool) -> Result<()> {
        seen(format!("{} close complete={complete}", self.tag));
        Ok(())
    }
}

fn add(spec: &str) -> Result<()> {
    let spec = CString::new(spec).unwrap();
    // SAFETY: a NUL-terminated spec; errp as Error::with_errp gives it.
    let added = unsafe { Error::with_errp(|errp| sys::audiodev_add(spec.as_ptr(), errp)) }?;
    assert!(added);
    Ok(())
}

fn open_all() -> Result<()> {
    // SAFETY: errp as Error::with_errp gives it.
    let opened = unsafe { Error::with_errp(|errp| sys::audiodev_open_all(errp)) }?;
    assert!(opened);
    Ok(())
}

fn find(id: &str) -> *mut sys::AudioDev {
    let id = CString::new(id).unwrap();
    // SAFETY: a NUL-terminated id.
    unsafe { sys::audiodev_find(id.as_ptr()) }
}

fn register_once() {
    // Registered again by a second test: refused, as it must be.
    let _ = register::<Recorder>();
}

#[test]
fn plays_through_the_core() {
    register_once();
    SEEN.with(|s| s.borrow_mut().clear());
    add("rust-test,id=r,tag=t").unwrap();
    open_all().unwrap();
    let dev = find("r");
    let fmt = sys::AudioFormat {
        rate: 8000,
        channels: 2,
    };
    // SAFETY: a live AudioDev, a valid format; errp may be NULL.
    assert!(unsafe { sys::audiodev_start(dev, &raw const fmt, std::ptr::null_mut()) });
    let samples: [i16; 4] = [1, 2, 3, 4];
    // SAFETY: two frames of two channels.
    unsafe { sys::audiodev_write(dev, samples.as_ptr(), 2) };
    // SAFETY: no AudioDev is used after.
    assert!(unsafe { sys::audiodev_close_all(true) });
    SEEN.with(|s| {
        assert_eq!(
            *s.borrow(),
            [
                "r:t start 8000x2",
                "r:t write [1, 2, 3, 4]",
                "r:t close complete=true"
            ]
        );
    });
}

#[test]
fn errors_reach_the_command_line_words() {
    register_once();
    assert!(register::<Recorder>()
        .unwrap_err()
        .to_string()
        .contains("registered already"));
    let missing = add("rust-test,id=r").unwrap_err().to_string();
    assert!(
        missing.contains("the rust-test backend needs tag="),
        "{missing}"
    );
    let unknown = add("rust-test,id=r,tag=t,colour=red")
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("has no key 'colour' (it takes id, tag, fail)"),
        "{unknown}"
    );
    add("rust-test,id=r,tag=t,fail=open").unwrap();
    let open = open_all().unwrap_err().to_string();
    assert_eq!(open, "audiodev r: refused to open");
    assert!(find("r").is_null());
}

#[test]
fn a_write_error_stops_the_stream() {
    register_once();
    SEEN.with(|s| s.borrow_mut().clear());
    add("rust-test,id=w,tag=x").unwrap();
    open_all().unwrap();
    let dev = find("w");
    let fmt = sys::AudioFormat {
        rate: 8000,
        channels: 1,
    };
    // SAFETY: as in plays_through_the_core.
    unsafe {
        assert!(sys::audiodev_start(
            dev,
            &raw const fmt,
            std::ptr::null_mut()
        ));
        sys::audiodev_write(dev, [-1i16].as_ptr(), 1);
        sys::audiodev_write(dev, [5i16].as_ptr(), 1);
        assert_eq!(sys::audiodev_frames(dev), 2);
        sys::audiodev_close_all(true);
    }
    SEEN.with(|s| {
        // After the failure nothing more is written, and the close does not
        // complete a stream that lost frames.
        assert_eq!(
            *s.borrow(),
            [
                "w:x start 8000x1",
                "w:x write [-1]",
                "w:x close complete=false"
            ]
        );
    });
}
