/* HPET helpers shared by the demo and the HPET/PLIC tests. */
#include "hpet.h"

void hpet_quiesce(void)
{
    hpet_write(HPET_GEN_CONF, 0);
    for (unsigned n = 0; n < HPET_NUM_TIMERS; n++) {
        uint64_t conf = hpet_read(HPET_TIMER_CONF(n));
        uint64_t route = conf & HPET_TN_ROUTE_MASK;
        /* Clear the mode bits but keep the route: the reset route 0 is not
         * one this board allows, so it is best not written back at all. */
        if ((uint32_t)conf & ~(uint32_t)HPET_TN_ROUTE_MASK & HPET_TN_WRITABLE) {
            hpet_write(HPET_TIMER_CONF(n), route);
        }
    }
    hpet_write(HPET_GINTR_STA, (1u << HPET_NUM_TIMERS) - 1);
    hpet_write(HPET_MAIN_CNT, 0);
}

void hpet_setup_periodic(unsigned timer, uint64_t period, uint64_t conf_bits)
{
    hpet_write(HPET_TIMER_CONF(timer),
               conf_bits | HPET_TN_PERIODIC | HPET_TN_VAL_SET);
    hpet_write(HPET_TIMER_CMP(timer), period);
    hpet_write(HPET_TIMER_CMP(timer), period);
}
