//! A step returns a `#[derive(OneOf)]` of 65 events, each taken by a step
//! of its own: the graph checks see all of them (they once stopped at 64).

use typed_workflows::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E0;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E1;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E2;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E3;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E4;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E5;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E6;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E7;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E8;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E9;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E10;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E11;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E12;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E13;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E14;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E15;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E16;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E17;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E18;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E19;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E20;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E21;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E22;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E23;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E24;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E25;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E26;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E27;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E28;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E29;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E30;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E31;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E32;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E33;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E34;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E35;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E36;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E37;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E38;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E39;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E40;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E41;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E42;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E43;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E44;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E45;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E46;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E47;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E48;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E49;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E50;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E51;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E52;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E53;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E54;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E55;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E56;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E57;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E58;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E59;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E60;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E61;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E62;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E63;

#[derive(Debug, Clone, Serialize, Deserialize, Event)]
struct E64;

#[derive(Debug, OneOf)]
enum Any {
    V0(E0),
    V1(E1),
    V2(E2),
    V3(E3),
    V4(E4),
    V5(E5),
    V6(E6),
    V7(E7),
    V8(E8),
    V9(E9),
    V10(E10),
    V11(E11),
    V12(E12),
    V13(E13),
    V14(E14),
    V15(E15),
    V16(E16),
    V17(E17),
    V18(E18),
    V19(E19),
    V20(E20),
    V21(E21),
    V22(E22),
    V23(E23),
    V24(E24),
    V25(E25),
    V26(E26),
    V27(E27),
    V28(E28),
    V29(E29),
    V30(E30),
    V31(E31),
    V32(E32),
    V33(E33),
    V34(E34),
    V35(E35),
    V36(E36),
    V37(E37),
    V38(E38),
    V39(E39),
    V40(E40),
    V41(E41),
    V42(E42),
    V43(E43),
    V44(E44),
    V45(E45),
    V46(E46),
    V47(E47),
    V48(E48),
    V49(E49),
    V50(E50),
    V51(E51),
    V52(E52),
    V53(E53),
    V54(E54),
    V55(E55),
    V56(E56),
    V57(E57),
    V58(E58),
    V59(E59),
    V60(E60),
    V61(E61),
    V62(E62),
    V63(E63),
    V64(E64),
}

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn pick(&self, _ev: StartEvent) -> Result<Any> {
        Ok(Any::V64(E64))
    }

    #[step]
    async fn take0(&self, _ev: E0) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(0))
    }

    #[step]
    async fn take1(&self, _ev: E1) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(1))
    }

    #[step]
    async fn take2(&self, _ev: E2) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(2))
    }

    #[step]
    async fn take3(&self, _ev: E3) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(3))
    }

    #[step]
    async fn take4(&self, _ev: E4) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(4))
    }

    #[step]
    async fn take5(&self, _ev: E5) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(5))
    }

    #[step]
    async fn take6(&self, _ev: E6) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(6))
    }

    #[step]
    async fn take7(&self, _ev: E7) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(7))
    }

    #[step]
    async fn take8(&self, _ev: E8) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(8))
    }

    #[step]
    async fn take9(&self, _ev: E9) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(9))
    }

    #[step]
    async fn take10(&self, _ev: E10) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(10))
    }

    #[step]
    async fn take11(&self, _ev: E11) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(11))
    }

    #[step]
    async fn take12(&self, _ev: E12) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(12))
    }

    #[step]
    async fn take13(&self, _ev: E13) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(13))
    }

    #[step]
    async fn take14(&self, _ev: E14) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(14))
    }

    #[step]
    async fn take15(&self, _ev: E15) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(15))
    }

    #[step]
    async fn take16(&self, _ev: E16) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(16))
    }

    #[step]
    async fn take17(&self, _ev: E17) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(17))
    }

    #[step]
    async fn take18(&self, _ev: E18) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(18))
    }

    #[step]
    async fn take19(&self, _ev: E19) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(19))
    }

    #[step]
    async fn take20(&self, _ev: E20) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(20))
    }

    #[step]
    async fn take21(&self, _ev: E21) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(21))
    }

    #[step]
    async fn take22(&self, _ev: E22) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(22))
    }

    #[step]
    async fn take23(&self, _ev: E23) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(23))
    }

    #[step]
    async fn take24(&self, _ev: E24) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(24))
    }

    #[step]
    async fn take25(&self, _ev: E25) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(25))
    }

    #[step]
    async fn take26(&self, _ev: E26) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(26))
    }

    #[step]
    async fn take27(&self, _ev: E27) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(27))
    }

    #[step]
    async fn take28(&self, _ev: E28) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(28))
    }

    #[step]
    async fn take29(&self, _ev: E29) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(29))
    }

    #[step]
    async fn take30(&self, _ev: E30) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(30))
    }

    #[step]
    async fn take31(&self, _ev: E31) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(31))
    }

    #[step]
    async fn take32(&self, _ev: E32) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(32))
    }

    #[step]
    async fn take33(&self, _ev: E33) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(33))
    }

    #[step]
    async fn take34(&self, _ev: E34) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(34))
    }

    #[step]
    async fn take35(&self, _ev: E35) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(35))
    }

    #[step]
    async fn take36(&self, _ev: E36) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(36))
    }

    #[step]
    async fn take37(&self, _ev: E37) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(37))
    }

    #[step]
    async fn take38(&self, _ev: E38) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(38))
    }

    #[step]
    async fn take39(&self, _ev: E39) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(39))
    }

    #[step]
    async fn take40(&self, _ev: E40) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(40))
    }

    #[step]
    async fn take41(&self, _ev: E41) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(41))
    }

    #[step]
    async fn take42(&self, _ev: E42) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(42))
    }

    #[step]
    async fn take43(&self, _ev: E43) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(43))
    }

    #[step]
    async fn take44(&self, _ev: E44) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(44))
    }

    #[step]
    async fn take45(&self, _ev: E45) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(45))
    }

    #[step]
    async fn take46(&self, _ev: E46) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(46))
    }

    #[step]
    async fn take47(&self, _ev: E47) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(47))
    }

    #[step]
    async fn take48(&self, _ev: E48) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(48))
    }

    #[step]
    async fn take49(&self, _ev: E49) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(49))
    }

    #[step]
    async fn take50(&self, _ev: E50) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(50))
    }

    #[step]
    async fn take51(&self, _ev: E51) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(51))
    }

    #[step]
    async fn take52(&self, _ev: E52) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(52))
    }

    #[step]
    async fn take53(&self, _ev: E53) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(53))
    }

    #[step]
    async fn take54(&self, _ev: E54) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(54))
    }

    #[step]
    async fn take55(&self, _ev: E55) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(55))
    }

    #[step]
    async fn take56(&self, _ev: E56) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(56))
    }

    #[step]
    async fn take57(&self, _ev: E57) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(57))
    }

    #[step]
    async fn take58(&self, _ev: E58) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(58))
    }

    #[step]
    async fn take59(&self, _ev: E59) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(59))
    }

    #[step]
    async fn take60(&self, _ev: E60) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(60))
    }

    #[step]
    async fn take61(&self, _ev: E61) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(61))
    }

    #[step]
    async fn take62(&self, _ev: E62) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(62))
    }

    #[step]
    async fn take63(&self, _ev: E63) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(63))
    }

    #[step]
    async fn take64(&self, _ev: E64) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(64))
    }
}

#[tokio::main]
async fn main() {
    assert_eq!(W.runner().run(StartEvent::new()).await.unwrap(), 64);
    assert_eq!(W::STEPS[0].returns.len(), 65);
}
