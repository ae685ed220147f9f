//! `pcf8574-rust` created on a bus, used and freed in a loop: finalize must
//! leave the bus and drop the fields (Meson runs this once more under
//! valgrind, which sees anything leaked).

use rivet_i2c::prelude::*;
use rivet_qom::Owned;
use rivet_test_support::lifecycle::create_and_free_prepared;

use crate::Pcf8574State;

#[test]
fn create_and_free_in_a_loop() {
    let bus = Owned::<I2CBus>::new().unwrap();
    create_and_free_prepared::<Pcf8574State>(
        50,
        |dev| dev.set_bus(&bus).unwrap(),
        |dev| {
            assert!(bus.start(dev.address(), false));
            assert!(bus.send(0x42));
            assert!(bus.start(dev.address(), true));
            assert_eq!(bus.recv(), 0x42);
            bus.stop();
        },
    );
}
