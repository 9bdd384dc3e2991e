//! A `#[derive(OneOf)]` of 65 events of which a step takes only the first:
//! the checks see past the 64th (they once stopped there), and the one error
//! names the other 64, the 65th among them.

use typed_workflows::prelude::*;

macro_rules! events {
    ($($name:ident),*) => {
        $(
            #[derive(Debug, Clone, Serialize, Deserialize, Event)]
            struct $name;
        )*

        #[derive(Debug, OneOf)]
        enum Any {
            $($name($name),)*
        }
    };
}

events!(
    E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, E13, E14, E15, E16, E17, E18, E19,
    E20, E21, E22, E23, E24, E25, E26, E27, E28, E29, E30, E31, E32, E33, E34, E35, E36, E37,
    E38, E39, E40, E41, E42, E43, E44, E45, E46, E47, E48, E49, E50, E51, E52, E53, E54, E55,
    E56, E57, E58, E59, E60, E61, E62, E63, E64
);

struct W;

#[workflow_impl]
impl W {
    #[step]
    async fn pick(&self, _ev: StartEvent) -> Result<Any> {
        Ok(Any::E0(E0))
    }

    #[step]
    async fn take(&self, _ev: E0) -> Result<StopEvent<u32>> {
        Ok(StopEvent::new(0))
    }
}

#[tokio::main]
async fn main() {
    let finished = W.runner().run(StartEvent::new()).await.is_ok();
    println!("{finished}");
}
